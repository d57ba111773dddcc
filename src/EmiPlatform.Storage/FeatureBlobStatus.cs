namespace EmiPlatform.Storage;

public enum FeatureBlobStatus
{
    Verified,
    Missing,

    /// <summary>The bytes did not hash to the recorded SHA-256: they were deleted and must be recomputed.</summary>
    HashMismatch,
}
