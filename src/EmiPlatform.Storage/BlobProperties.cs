namespace EmiPlatform.Storage;

/// <summary>Properties of a committed blob. <see cref="Sha256"/> is null for blobs written without this client (e.g. through a SAS).</summary>
public sealed record BlobProperties(
    string Name,
    long Length,
    string? ContentType,
    string ETag,
    DateTimeOffset LastModified,
    string? Sha256,
    IReadOnlyDictionary<string, string> Metadata);
