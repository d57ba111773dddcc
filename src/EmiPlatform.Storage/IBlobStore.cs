using Azure.Storage.Blobs;
using Azure.Storage.Sas;

namespace EmiPlatform.Storage;

/// <summary>
/// The platform's one container on Azure.Storage.Blobs. Reads, properties, listing and single deletes go straight to
/// the SDK through <see cref="Container"/>; this adds only what is the platform's own: a streamed upload that hashes
/// SHA-256 on the way with bounded memory, download-and-hash, SAS for either credential, promotion of a staged blob to
/// its own name, and prefix erasure.
/// </summary>
public interface IBlobStore
{
    /// <summary>The SDK client of the store's container (its retry, logging and tracing come from the configured pipeline).</summary>
    BlobContainerClient Container { get; }

    string ContainerName { get; }

    /// <summary>Creates the container when it does not exist (idempotent).</summary>
    Task EnsureContainerAsync(CancellationToken cancellationToken = default);

    /// <summary>Deletes the container and all its blobs; false when it did not exist.</summary>
    Task<bool> DeleteContainerAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Streams <paramref name="content"/> into staged blocks (Put Block, in parallel, each with a transactional checksum)
    /// and commits them with the SHA-256 as metadata "sha256". Memory is bounded by block size × parallelism whatever
    /// the length. When the stream or a block fails, nothing is committed and an existing blob of that name is untouched.
    /// </summary>
    Task<BlobUploadResult> UploadAsync(string blobName, Stream content, BlobUploadOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Streams the committed blob into <paramref name="destination"/> (<see cref="Stream.Null"/> to only hash it) and
    /// returns the SHA-256 of exactly the bytes written there.
    /// </summary>
    Task<BlobHash> DownloadAndHashAsync(string blobName, Stream destination, CancellationToken cancellationToken = default);

    /// <summary>
    /// A SAS URI for one blob of the container: a service SAS signed with the account key, or a user-delegation SAS when
    /// the store runs on a token credential. Valid from a few minutes ago (clock skew) for <paramref name="lifetime"/>;
    /// <paramref name="headers"/>, when given, replace the blob's stored Content-Type and Content-Disposition.
    /// </summary>
    Task<Uri> GetSasUriAsync(
        string blobName, BlobSasPermissions permissions, TimeSpan lifetime, CancellationToken cancellationToken = default,
        SasResponseHeaders? headers = null);

    /// <summary>
    /// Moves a blob written under <paramref name="stagingName"/> (e.g. through a write SAS) to <paramref name="blobName"/>,
    /// which no SAS can write: copies it inside the account, deletes the staging blob, refuses (and deletes) it when
    /// longer than <paramref name="maxLength"/>, then hashes the promoted bytes and stores the SHA-256 as metadata
    /// "sha256" on exactly those bytes (If-Match). Repeatable: when an earlier call copied the blob and stopped, this one
    /// carries on from there (<see cref="BlobPromotion.StagingWasGone"/>).
    /// </summary>
    Task<BlobPromotion> PromoteAsync(string stagingName, string blobName, long maxLength, CancellationToken cancellationToken = default);

    /// <summary>Deletes every blob (and its snapshots) whose name starts with <paramref name="prefix"/>; returns how many.</summary>
    Task<int> DeletePrefixAsync(string prefix, CancellationToken cancellationToken = default);
}
