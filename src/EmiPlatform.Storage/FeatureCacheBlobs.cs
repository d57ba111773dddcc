using Azure;
using Azure.Storage.Blobs.Models;

namespace EmiPlatform.Storage;

/// <summary>
/// The feature cache's blobs: one per recording, backbone and decoding, named under the recording's own blob name so
/// that erasing the recording (or anything above it: participant, study, tenant prefixes) takes its features too.
/// Reads verify the bytes' SHA-256 against the one recorded when the entry was written; bytes that do not verify are
/// deleted and reported as such, never returned.
/// </summary>
public sealed class FeatureCacheBlobs(IBlobStore blobs)
{
    /// <summary>Appended to a recording's blob name to make the folder of its feature entries.</summary>
    public const string Suffix = ".features/";

    /// <summary>Content type of an entry (docs/model-bundle.md, "Feature cache").</summary>
    public const string ContentType = "application/x-emi-features";

    /// <summary><c>{recording blob}.features/{branch}-{backbone sha256}-{first 16 hex of the key's sha256}</c>.</summary>
    public static string Name(string recordingBlobName, string branch, string backboneSha256, string keySha256) =>
        $"{recordingBlobName}{Suffix}{branch}-{backboneSha256}-{keySha256[..16]}";

    public static string Prefix(string recordingBlobName) => recordingBlobName + Suffix;

    /// <summary>Stores an entry's bytes; returns their SHA-256 and length (to be recorded beside the entry).</summary>
    public async Task<BlobUploadResult> WriteAsync(string name, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        using var content = new MemoryStream(bytes.ToArray(), writable: false);
        return await blobs.UploadAsync(name, content, new BlobUploadOptions { ContentType = ContentType }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The entry's bytes when they exist and hash to <paramref name="expectedSha256"/>.</summary>
    public async Task<FeatureBlobRead> ReadAsync(string name, string expectedSha256, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        BlobHash hash;
        try
        {
            hash = await blobs.DownloadAndHashAsync(name, buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return new FeatureBlobRead(FeatureBlobStatus.Missing, null, null);
        }

        if (!string.Equals(hash.Sha256, expectedSha256.Trim(), StringComparison.OrdinalIgnoreCase))
        {
            await blobs.Container.GetBlobClient(name).DeleteIfExistsAsync(DeleteSnapshotsOption.IncludeSnapshots, cancellationToken: CancellationToken.None).ConfigureAwait(false);
            return new FeatureBlobRead(FeatureBlobStatus.HashMismatch, null, hash.Sha256);
        }

        return new FeatureBlobRead(FeatureBlobStatus.Verified, buffer.ToArray(), hash.Sha256);
    }

    /// <summary>Deletes a recording's feature entries (its erasure); returns how many.</summary>
    public Task<int> DeleteForRecordingAsync(string recordingBlobName, CancellationToken cancellationToken) =>
        blobs.DeletePrefixAsync(Prefix(recordingBlobName), cancellationToken);

    public Task DeleteAsync(string name, CancellationToken cancellationToken) =>
        blobs.Container.GetBlobClient(name).DeleteIfExistsAsync(DeleteSnapshotsOption.IncludeSnapshots, cancellationToken: cancellationToken);
}
