using Azure;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Sas;

namespace EmiPlatform.Storage;

public sealed partial class BlobStore
{
    /// <summary>The copy starts within the call; the source SAS only has to outlive that start.</summary>
    private static readonly TimeSpan CopySourceLifetime = TimeSpan.FromMinutes(5);

    /// <remarks>
    /// A server-side copy through a read SAS of the source, so it works the same on an account key and on a token
    /// credential. The staging blob is deleted only once the copy is done (a failed copy leaves it for another try) and
    /// not with the caller's token (a caller that gives up now must not leave it behind).
    /// </remarks>
    public async Task<BlobPromotion> PromoteAsync(string stagingName, string blobName, long maxLength, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(stagingName);
        ArgumentException.ThrowIfNullOrEmpty(blobName);
        var staging = Container.GetBlobClient(stagingName);
        var final = Container.GetBlobClient(blobName);
        var stagingWasGone = false;
        try
        {
            var source = await GetSasUriAsync(stagingName, BlobSasPermissions.Read, CopySourceLifetime, cancellationToken);
            var copy = await final.StartCopyFromUriAsync(source, new BlobCopyFromUriOptions(), cancellationToken);
            await copy.WaitForCompletionAsync(cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            if (!await final.ExistsAsync(cancellationToken))
            {
                return new BlobPromotion(BlobPromotionStatus.NotStaged, null, null, StagingWasGone: true);
            }

            // An earlier promotion copied it and stopped before the end: carry on from there.
            stagingWasGone = true;
        }

        await staging.DeleteIfExistsAsync(DeleteSnapshotsOption.IncludeSnapshots, cancellationToken: CancellationToken.None);

        var properties = (await final.GetPropertiesAsync(cancellationToken: cancellationToken)).Value;
        if (properties.ContentLength > maxLength)
        {
            await final.DeleteIfExistsAsync(DeleteSnapshotsOption.IncludeSnapshots, cancellationToken: CancellationToken.None);
            return new BlobPromotion(BlobPromotionStatus.TooLarge, null, properties.ContentType, stagingWasGone);
        }

        var hashed = await DownloadAndHashAsync(blobName, Stream.Null, cancellationToken);
        // Tied to the bytes just hashed: the metadata is only written if the blob is still exactly those bytes. A sha256
        // the staging write set is checked, never trusted; the rest of its metadata stays.
        // An earlier promotion that got this far already wrote it: the bytes are left untouched, ETag included.
        if (Sha256Of(properties.Metadata) != hashed.Sha256)
        {
            var withHash = new Dictionary<string, string>(properties.Metadata) { [Sha256MetadataName] = hashed.Sha256 };
            var written = await final.SetMetadataAsync(withHash, new BlobRequestConditions { IfMatch = hashed.ETag }, cancellationToken);
            hashed = hashed with { ETag = written.Value.ETag };
        }

        return new BlobPromotion(BlobPromotionStatus.Promoted, hashed, properties.ContentType, stagingWasGone);
    }
}
