namespace EmiPlatform.Storage;

/// <summary>
/// The platform's view of blob storage: one container (from <see cref="BlobStorageOptions.Container"/>), blobs named by
/// the caller. Implemented on Azure Storage's REST API; works against Azure and Azurite.
/// </summary>
public interface IBlobStore
{
    string ContainerName { get; }

    /// <summary>Creates the container when it does not exist (idempotent).</summary>
    Task EnsureContainerAsync(CancellationToken cancellationToken = default);

    /// <summary>Deletes the container and all its blobs; false when it did not exist.</summary>
    Task<bool> DeleteContainerAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Streams <paramref name="content"/> into staged blocks (Put Block, in parallel) and commits them with Put Block List.
    /// Memory is bounded by block size × parallelism whatever the length. Content that fits one block goes in a single Put Blob.
    /// When the stream or a block fails, nothing is committed and an existing blob of that name is left untouched.
    /// </summary>
    Task<BlobUploadResult> UploadAsync(string blobName, Stream content, BlobUploadOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Opens the blob (or a range of it) as a stream. Throws <see cref="BlobNotFoundException"/> when it does not exist.</summary>
    Task<BlobDownload> DownloadAsync(string blobName, BlobRange? range = null, CancellationToken cancellationToken = default);

    /// <summary>Properties of the committed blob, or null when there is none (uncommitted blocks do not count).</summary>
    Task<BlobProperties?> GetPropertiesAsync(string blobName, CancellationToken cancellationToken = default);

    /// <summary>Deletes the blob and its snapshots; false when it did not exist (idempotent).</summary>
    Task<bool> DeleteAsync(string blobName, CancellationToken cancellationToken = default);

    /// <summary>All committed blobs whose names start with <paramref name="prefix"/>, following paging markers.</summary>
    IAsyncEnumerable<BlobItem> ListAsync(string? prefix = null, int? pageSize = null, CancellationToken cancellationToken = default);

    /// <summary>One page of a listing, for callers that keep the marker themselves.</summary>
    Task<BlobListPage> ListPageAsync(string? prefix, string? marker, int? pageSize = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// A service SAS URI for one blob, e.g. <see cref="BlobSasPermissions.Read"/> to hand out a download link or
    /// <see cref="BlobSasPermissions.Upload"/> for a client to upload directly; check the result with <see cref="GetPropertiesAsync"/>.
    /// </summary>
    Uri GetSasUri(string blobName, BlobSasPermissions permissions, DateTimeOffset expiresOn);
}
