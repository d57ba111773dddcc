using EmiPlatform.Bundles;
using EmiPlatform.Data;
using EmiPlatform.Data.Jobs;
using EmiPlatform.Inference.Columns;
using EmiPlatform.Inference.Scoring;
using EmiPlatform.Results;
using EmiPlatform.Scoring.Hosting;
using EmiPlatform.Scoring.Jobs;
using Npgsql;
using NpgsqlTypes;

namespace EmiPlatform.Scoring.Timelines;

/// <summary>
/// Writes a job's results and marks it succeeded in one transaction, on the application role with the job's tenant
/// set (row-level security checks every row). The rows of the same recording and bundle are deleted first and the
/// new ones streamed in with binary COPY, so a retried or redelivered job replaces its timeline instead of adding to it.
/// Nothing is written unless the job is still this attempt's: a cancelled or taken-over job commits nothing.
/// </summary>
public sealed class TimelineWriter(EmiDataSources database)
{
    private static readonly string CopyColumns =
        $"tenant_id, recording_id, bundle_id, job_id, window_index, start_s, end_s, {ScoreColumns.SqlList()}, audio_emi, visual_emi";

    private static readonly string InsertAggregate =
        $"INSERT INTO recording_scores (tenant_id, recording_id, bundle_id, job_id, duration_seconds, window_count, {ScoreColumns.SqlList()}, {FeatureColumns.SqlList}, scored_at) " +
        $"VALUES ({string.Join(", ", Enumerable.Range(1, 6 + ScoreColumns.Count + FeatureColumns.Count).Select(i => "$" + i))}, now())";

    /// <returns>false when the job was no longer this attempt's, and nothing was written.</returns>
    public async Task<bool> WriteAsync(ClaimedJob job, ModelBundle bundle, ScoringResult result, CancellationToken cancellationToken)
    {
        var columns = BundleColumnMap.For(bundle);
        var (connection, transaction) = await database.BeginTenantTransactionAsync(job.TenantId, cancellationToken);
        await using (connection)
        await using (transaction)
        {
            if (!await JobStore.LockOwnedAsync(connection, job, cancellationToken))
            {
                await transaction.RollbackAsync(cancellationToken);
                return false;
            }

            await ExecuteAsync(connection, "DELETE FROM timeline_windows WHERE recording_id = $1 AND bundle_id = $2", cancellationToken, job.RecordingId, job.BundleId);
            // PostgreSQL refuses COPY FROM into a table with row-level security; COPY into a temporary table (no RLS, gone
            // at commit) and move the rows with one INSERT … SELECT, which the tenant policy's WITH CHECK still checks.
            await ExecuteAsync(connection, "CREATE TEMP TABLE incoming_windows (LIKE timeline_windows) ON COMMIT DROP", cancellationToken);
            await using (var copy = await connection.BeginBinaryImportAsync($"COPY incoming_windows ({CopyColumns}) FROM STDIN (FORMAT BINARY)", cancellationToken))
            {
                for (var i = 0; i < result.Windows.Count; i++)
                {
                    var w = result.Windows[i];
                    await copy.StartRowAsync(cancellationToken);
                    await copy.WriteAsync(job.TenantId, NpgsqlDbType.Uuid, cancellationToken);
                    await copy.WriteAsync(job.RecordingId, NpgsqlDbType.Uuid, cancellationToken);
                    await copy.WriteAsync(job.BundleId, NpgsqlDbType.Uuid, cancellationToken);
                    await copy.WriteAsync(job.Id, NpgsqlDbType.Uuid, cancellationToken);
                    await copy.WriteAsync(i, NpgsqlDbType.Integer, cancellationToken);
                    await copy.WriteAsync(w.StartSeconds, NpgsqlDbType.Double, cancellationToken);
                    await copy.WriteAsync(w.EndSeconds, NpgsqlDbType.Double, cancellationToken);
                    for (var c = 0; c < ScoreColumns.Count; c++)
                    {
                        await WriteValueAsync(copy, columns.Value(c, result, w), cancellationToken);
                    }
                    await WriteArrayAsync(copy, w.AudioEmi, cancellationToken);
                    await WriteArrayAsync(copy, w.VisualEmi, cancellationToken);
                }
                await copy.CompleteAsync(cancellationToken);
            }
            await ExecuteAsync(connection, $"INSERT INTO timeline_windows ({CopyColumns}) SELECT {CopyColumns} FROM incoming_windows", cancellationToken);

            await ExecuteAsync(connection, "DELETE FROM recording_scores WHERE recording_id = $1 AND bundle_id = $2", cancellationToken, job.RecordingId, job.BundleId);
            if (result.Aggregate is { } a)
            {
                object?[] values =
                [
                    job.TenantId, job.RecordingId, job.BundleId, job.Id, result.DurationSeconds, result.Windows.Count,
                    .. Enumerable.Range(0, ScoreColumns.Count).Select(c => columns.Value(c, result, a)),
                    .. FeatureColumns.Values(result.Features.Select(f => (f.Branch, f.BackboneSha256, f.FromCache)))
                        .Select((v, i) => v ?? new NpgsqlParameter { Value = DBNull.Value, NpgsqlDbType = i % 2 == 0 ? NpgsqlDbType.Char : NpgsqlDbType.Boolean }),
                ];
                await ExecuteAsync(connection, InsertAggregate, cancellationToken, values);
            }

            await JobStore.SucceedAsync(connection, job, result.ExecutionProvider, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return true;
        }
    }

    private static async Task WriteValueAsync(NpgsqlBinaryImporter copy, object? value, CancellationToken cancellationToken)
    {
        switch (value)
        {
            case float v:
                await copy.WriteAsync(v, NpgsqlDbType.Real, cancellationToken);
                break;
            case bool flag:
                await copy.WriteAsync(flag, NpgsqlDbType.Boolean, cancellationToken);
                break;
            default:
                await copy.WriteNullAsync(cancellationToken);
                break;
        }
    }

    private static async Task WriteArrayAsync(NpgsqlBinaryImporter copy, IReadOnlyList<float>? values, CancellationToken cancellationToken)
    {
        if (values is null)
        {
            await copy.WriteNullAsync(cancellationToken);
        }
        else
        {
            await copy.WriteAsync(values.ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Real, cancellationToken);
        }
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken, params object?[] values)
    {
        await using var command = Command(connection, sql, values);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static NpgsqlCommand Command(NpgsqlConnection connection, string sql, object?[] values)
    {
        var command = new NpgsqlCommand(sql, connection);
        foreach (var value in values)
        {
            command.Parameters.Add(value is NpgsqlParameter typed ? typed : value is null ? new NpgsqlParameter { Value = DBNull.Value, NpgsqlDbType = NpgsqlDbType.Real } : new NpgsqlParameter { Value = value });
        }
        return command;
    }
}
