namespace EmiPlatform.Storage;

/// <summary>How a <see cref="IBlobStore.PromoteAsync"/> ended.</summary>
public enum BlobPromotionStatus
{
    /// <summary>The blob is under its own name, hashed, with the SHA-256 stored as its metadata.</summary>
    Promoted,

    /// <summary>Neither the staging blob nor the promoted one exists: nothing was committed under the staging name yet.</summary>
    NotStaged,

    /// <summary>The blob was longer than the limit; it was deleted.</summary>
    TooLarge,
}
