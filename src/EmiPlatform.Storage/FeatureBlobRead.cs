namespace EmiPlatform.Storage;

/// <summary>What reading a feature entry found: its verified bytes, or why there are none (and the hash the bytes had).</summary>
public sealed record FeatureBlobRead(FeatureBlobStatus Status, byte[]? Bytes, string? ActualSha256);
