namespace EmiPlatform.Storage;

/// <summary>What was committed: size and SHA-256 (lowercase hex) computed while streaming, and the blob's ETag.</summary>
public sealed record BlobUploadResult(string Name, long Length, string Sha256, Azure.ETag ETag, int BlockCount);
