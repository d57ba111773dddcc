namespace EmiPlatform.Storage;

/// <summary>One entry of a listing.</summary>
public sealed record BlobItem(string Name, long Length, string? ContentType, string ETag, DateTimeOffset LastModified, string? Sha256);
