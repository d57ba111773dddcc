namespace EmiPlatform.Storage;

/// <summary>Per-upload settings; block size and parallelism default to the store's <see cref="BlobStorageOptions"/>.</summary>
public sealed record BlobUploadOptions
{
    /// <summary>Stored as the blob's Content-Type.</summary>
    public string? ContentType { get; init; }

    /// <summary>Fail with <see cref="BlobContentTooLargeException"/> (and commit nothing) past this many bytes.</summary>
    public long? MaxLength { get; init; }

    /// <summary>When false, committing onto an existing blob fails with 409 BlobAlreadyExists instead of replacing it.</summary>
    public bool Overwrite { get; init; } = true;

    public int? BlockSizeBytes { get; init; }

    public int? Parallelism { get; init; }

    /// <summary>Extra metadata; the store always adds "sha256".</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }
}
