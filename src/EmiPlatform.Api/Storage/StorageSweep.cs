using Azure.Storage.Blobs.Models;
using EmiPlatform.Abstractions.Studies;
using EmiPlatform.Api.Recordings;
using EmiPlatform.Data;
using EmiPlatform.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace EmiPlatform.Api.Storage;

/// <summary>
/// Compares blob storage with the recordings table across all tenants: blobs no row points at (a crash between commit
/// and registration, a failed delete, a direct upload never completed or written again after completion) and rows whose
/// blob is gone. Blobs younger than the grace period are left out:
/// they may be uploads still being registered or direct uploads not yet completed. A row removed goes through its
/// study's grain, the single writer of the study's recordings and jobs.
/// </summary>
public sealed class StorageSweep(AdminDbContext db, IBlobStore blobs, IGrainFactory grains, IOptions<RecordingOptions> options, TimeProvider clock)
{
    public async Task<SweepReportDto> RunAsync(bool remove, CancellationToken cancellationToken)
    {
        // Rows before blobs: a recording registered during the listing then shows up as a young blob, never as an orphan.
        var rows = await db.Recordings.AsNoTracking().Select(r => new { r.Id, r.StudyId, r.BlobName }).ToListAsync(cancellationToken);
        var known = rows.Select(r => r.BlobName).ToHashSet(StringComparer.Ordinal);
        // Feature cache entries are blobs with rows of their own (feature_cache_entries), not orphans.
        known.UnionWith(await db.Database.SqlQueryRaw<string>("SELECT blob_name AS \"Value\" FROM feature_cache_entries").ToListAsync(cancellationToken));
        var cutoff = clock.GetUtcNow() - options.Value.SweepGracePeriod;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var orphans = new List<string>();
        await foreach (var blob in blobs.Container.GetBlobsAsync(cancellationToken: cancellationToken))
        {
            seen.Add(blob.Name);
            if (!known.Contains(blob.Name) && blob.Properties.LastModified <= cutoff)
            {
                orphans.Add(blob.Name);
            }
        }
        var lost = rows.Where(r => !seen.Contains(r.BlobName)).ToList();
        var missing = lost.Select(r => r.Id).ToList();

        if (remove)
        {
            foreach (var name in orphans)
            {
                await blobs.Container.GetBlobClient(name).DeleteIfExistsAsync(DeleteSnapshotsOption.IncludeSnapshots, cancellationToken: cancellationToken);
            }
            foreach (var row in lost)
            {
                // Its blob is gone already: the grain's erasure and the recording's cached features are all there is to do.
                await grains.GetGrain<IStudyGrain>(row.StudyId).EraseRecordingAsync(row.Id);
                await new FeatureCacheBlobs(blobs).DeleteForRecordingAsync(row.BlobName, cancellationToken);
            }
        }
        return new SweepReportDto(orphans, missing, remove);
    }
}
