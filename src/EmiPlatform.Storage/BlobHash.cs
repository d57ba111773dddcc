namespace EmiPlatform.Storage;

/// <summary>What a download read: its length, the SHA-256 (lowercase hex) of those bytes, and the ETag they were read at.</summary>
public sealed record BlobHash(long Length, string Sha256, Azure.ETag ETag);
