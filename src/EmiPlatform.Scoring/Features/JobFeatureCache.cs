using EmiPlatform.Bundles.Features;
using EmiPlatform.Data;
using EmiPlatform.Data.Jobs;
using EmiPlatform.Inference.Scoring;
using EmiPlatform.Storage;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace EmiPlatform.Scoring.Features;

/// <summary>
/// The feature cache of one job's recording: entries are blobs under the recording's blob name
/// (<see cref="FeatureCacheBlobs"/>), each with a row in <c>feature_cache_entries</c> (on the tenant's connection, so
/// row-level security applies) that holds the SHA-256 of its bytes and counts its size in the tenant's storage usage.
/// An entry whose bytes do not hash to the row's SHA-256, or whose header does not match its key, is dropped and
/// logged, and the pipeline recomputes it. A write over the tenant's cache bound is declined (logged), never fatal.
/// </summary>
public sealed class JobFeatureCache(ClaimedJob job, EmiDataSources database, FeatureCacheBlobs blobs, ILogger logger) : IFeatureCache
{
    private const string BoundReached = "EMIQ2";

    public async Task<FeatureCacheEntry?> ReadAsync(FeatureCacheKey key, CancellationToken cancellationToken)
    {
        string? blobName = null, contentSha256 = null;
        var (connection, transaction) = await database.BeginTenantTransactionAsync(job.TenantId, cancellationToken);
        await using (connection)
        await using (transaction)
        {
            await using var command = new NpgsqlCommand(
                "SELECT blob_name, content_sha256 FROM feature_cache_entries WHERE recording_id = $1 AND key_sha256 = $2", connection, transaction);
            command.Parameters.Add(new() { Value = job.RecordingId });
            command.Parameters.Add(new() { Value = key.Sha256 });
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
            {
                if (await reader.ReadAsync(cancellationToken))
                {
                    blobName = reader.GetString(0);
                    contentSha256 = reader.GetString(1);
                }
            }

            await transaction.CommitAsync(cancellationToken);
        }

        if (blobName is null)
        {
            return null;
        }

        var read = await blobs.ReadAsync(blobName, contentSha256!, cancellationToken);
        if (read.Status != FeatureBlobStatus.Verified)
        {
            logger.LogWarning("Feature cache entry {Blob} of recording {RecordingId} is {Status} (sha256 {Actual}, recorded {Expected}); recomputing it",
                blobName, job.RecordingId, read.Status, read.ActualSha256 ?? "-", contentSha256);
            await DeleteRowAsync(key, cancellationToken);
            return null;
        }

        FeatureCacheEntry entry;
        try
        {
            entry = FeatureCacheEntry.Decode(read.Bytes);
        }
        catch (InvalidDataException ex)
        {
            logger.LogWarning(ex, "Feature cache entry {Blob} of recording {RecordingId} cannot be read; recomputing it", blobName, job.RecordingId);
            await DeleteEntryAsync(key, blobName, cancellationToken);
            return null;
        }

        if (!FeatureCacheEntry.Matches(entry, key) || !string.Equals(entry.RecordingSha256, key.RecordingSha256.Trim(), StringComparison.OrdinalIgnoreCase))
        {
            logger.LogWarning("Feature cache entry {Blob} of recording {RecordingId} was made for another key; recomputing it", blobName, job.RecordingId);
            await DeleteEntryAsync(key, blobName, cancellationToken);
            return null;
        }

        return entry;
    }

    public async Task WriteAsync(FeatureCacheKey key, FeatureCacheEntry entry, CancellationToken cancellationToken)
    {
        var name = FeatureCacheBlobs.Name(job.BlobName, key.Branch, key.BackboneSha256, key.Sha256);
        var uploaded = await blobs.WriteAsync(name, entry.Encode(), cancellationToken);
        try
        {
            var (connection, transaction) = await database.BeginTenantTransactionAsync(job.TenantId, cancellationToken);
            await using (connection)
            await using (transaction)
            {
                await ExecuteAsync(connection, transaction, "DELETE FROM feature_cache_entries WHERE recording_id = $1 AND key_sha256 = $2", cancellationToken, job.RecordingId, key.Sha256);
                await ExecuteAsync(connection, transaction,
                    "INSERT INTO feature_cache_entries (tenant_id, recording_id, key_sha256, branch, backbone_sha256, blob_name, content_sha256, size_bytes) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                    cancellationToken, job.TenantId, job.RecordingId, key.Sha256, key.Branch, key.BackboneSha256, name, uploaded.Sha256, uploaded.Length);
                await transaction.CommitAsync(cancellationToken);
            }

            logger.LogInformation("Cached {Branch} features of recording {RecordingId} ({Bytes} bytes, backbone {Backbone})", key.Branch, job.RecordingId, uploaded.Length, key.BackboneSha256[..12]);
        }
        catch (PostgresException ex) when (ex.SqlState == BoundReached)
        {
            logger.LogWarning("Feature cache of tenant {TenantId} is at its bound; {Branch} features of recording {RecordingId} ({Bytes} bytes) not cached",
                job.TenantId, key.Branch, job.RecordingId, uploaded.Length);
            await blobs.DeleteAsync(name, CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // No row names the blob (the recording was erased while it scored, or the database failed): it goes too, or
            // it would be an orphan the erasure already passed by.
            await blobs.DeleteAsync(name, CancellationToken.None);
            throw;
        }
    }

    private async Task DeleteEntryAsync(FeatureCacheKey key, string blobName, CancellationToken cancellationToken)
    {
        await DeleteRowAsync(key, cancellationToken);
        await blobs.DeleteAsync(blobName, CancellationToken.None);
    }

    private async Task DeleteRowAsync(FeatureCacheKey key, CancellationToken cancellationToken)
    {
        var (connection, transaction) = await database.BeginTenantTransactionAsync(job.TenantId, cancellationToken);
        await using (connection)
        await using (transaction)
        {
            await ExecuteAsync(connection, transaction, "DELETE FROM feature_cache_entries WHERE recording_id = $1 AND key_sha256 = $2", cancellationToken, job.RecordingId, key.Sha256);
            await transaction.CommitAsync(cancellationToken);
        }
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellationToken, params object[] values)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        foreach (var value in values)
        {
            command.Parameters.Add(new() { Value = value });
        }

        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
