using Azure.Storage.Blobs.Models;
using EmiPlatform.Abstractions.Studies;
using EmiPlatform.Api.Recordings;
using EmiPlatform.Data;
using EmiPlatform.Data.Entities;
using EmiPlatform.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace EmiPlatform.Api.Storage;

/// <summary>
/// Compares blob storage with the recordings table across all tenants: blobs no row points at (a crash between commit
/// and registration, a failed delete) and rows whose blob is gone. Blobs younger than the grace period are left out:
/// they may be uploads still being registered. Staging blobs are judged by the open direct uploads instead, with no
/// grace: one no open upload wants (expired, or written through its SAS after complete) is an orphan at once. A row
/// removed goes through its study's grain, the single writer of the study's recordings and jobs.
/// </summary>
public sealed class StorageSweep(AdminDbContext db, IBlobStore blobs, IGrainFactory grains, IOptions<RecordingOptions> options, TimeProvider clock)
{
    /// <summary>How many expired uploads one pass deletes at most; the next pass takes the rest.</summary>
    private const int ExpiredBatch = 1000;

    /// <param name="remove">delete the orphaned blobs</param>
    /// <param name="eraseLostRows">also erase the rows whose blob is gone (an admin's decision: an empty or misconfigured
    /// container looks the same as every blob lost)</param>
    public async Task<SweepReportDto> RunAsync(bool remove, bool eraseLostRows, CancellationToken cancellationToken)
    {
        // Rows before blobs: a recording registered during the listing then shows up as a young blob, never as an orphan.
        var rows = await db.Recordings.AsNoTracking().Select(r => new { r.Id, r.StudyId, r.BlobName }).ToListAsync(cancellationToken);
        var known = rows.Select(r => r.BlobName).ToHashSet(StringComparer.Ordinal);
        // Feature cache entries are blobs with rows of their own (feature_cache_entries), not orphans.
        known.UnionWith(await db.Database.SqlQueryRaw<string>("SELECT blob_name AS \"Value\" FROM feature_cache_entries").ToListAsync(cancellationToken));
        var now = clock.GetUtcNow();
        var cutoff = now - options.Value.SweepGracePeriod;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var orphans = new List<string>();
        var staged = new List<string>();
        await foreach (var blob in blobs.Container.GetBlobsAsync(cancellationToken: cancellationToken))
        {
            seen.Add(blob.Name);
            if (blob.Name.EndsWith(RecordingBlobs.StagingSuffix, StringComparison.Ordinal))
            {
                staged.Add(blob.Name);
            }
            else if (!known.Contains(blob.Name) && blob.Properties.LastModified <= cutoff)
            {
                orphans.Add(blob.Name);
            }
        }
        // Uploads after blobs: an upload's row is committed before its SAS exists, so a staging blob listed above that
        // an open upload wants has its row here.
        var wanted = (await WantedUploads(now).Select(u => new { u.TenantId, u.StudyId, u.ParticipantId, u.RecordingId }).ToListAsync(cancellationToken))
            .Select(u => RecordingBlobs.StagingName(u.TenantId, u.StudyId, u.ParticipantId, u.RecordingId)).ToHashSet(StringComparer.Ordinal);
        orphans.AddRange(staged.Where(name => !wanted.Contains(name)));
        var lost = rows.Where(r => !seen.Contains(r.BlobName)).ToList();
        var missing = lost.Select(r => r.Id).ToList();

        if (remove)
        {
            foreach (var name in orphans)
            {
                await blobs.Container.GetBlobClient(name).DeleteIfExistsAsync(DeleteSnapshotsOption.IncludeSnapshots, cancellationToken: cancellationToken);
            }
            await SweepExpiredUploadsAsync(cancellationToken);
        }
        if (eraseLostRows)
        {
            foreach (var row in lost)
            {
                // Its blob is gone already: the grain's erasure and the recording's cached features are all there is to do.
                await grains.GetGrain<IStudyGrain>(row.StudyId).EraseRecordingAsync(row.Id);
                await new FeatureCacheBlobs(blobs).DeleteForRecordingAsync(row.BlobName, cancellationToken);
            }
        }
        return new SweepReportDto(orphans, missing, remove);
    }

    /// <summary>
    /// Deletes the direct uploads expired (past the clock-skew margin) with their staging blobs: blob first, so a failed
    /// delete leaves the row to try again. Cheap (an indexed read, no listing), so it runs far more often than the sweep.
    /// </summary>
    /// <returns>How many expired uploads were deleted.</returns>
    public async Task<int> SweepExpiredUploadsAsync(CancellationToken cancellationToken)
    {
        var since = ExpiredBefore(clock.GetUtcNow());
        var expired = await db.DirectUploads.AsNoTracking().Where(u => u.ExpiresAt <= since).OrderBy(u => u.ExpiresAt).Take(ExpiredBatch).ToListAsync(cancellationToken);
        foreach (var upload in expired)
        {
            await blobs.Container.GetBlobClient(RecordingBlobs.StagingName(upload.TenantId, upload.StudyId, upload.ParticipantId, upload.RecordingId))
                .DeleteIfExistsAsync(DeleteSnapshotsOption.IncludeSnapshots, cancellationToken: cancellationToken);
        }
        var ids = expired.Select(u => u.RecordingId).ToList();
        return await db.DirectUploads.Where(u => ids.Contains(u.RecordingId)).ExecuteDeleteAsync(cancellationToken);
    }

    /// <summary>Uploads whose staging blob may still be written: not expired, or expired less than the margin ago.</summary>
    private IQueryable<DirectUpload> WantedUploads(DateTimeOffset now)
    {
        var since = ExpiredBefore(now);
        return db.DirectUploads.AsNoTracking().Where(u => u.ExpiresAt > since);
    }

    /// <summary>Storage checks a SAS by its own clock: an upload is given up only the margin after its expiry by ours.</summary>
    private DateTimeOffset ExpiredBefore(DateTimeOffset now) => now - options.Value.DirectUploadExpiryMargin;
}
