using EmiPlatform.Scoring.Hosting;
using Npgsql;

namespace EmiPlatform.Scoring.Jobs;

/// <summary>
/// Every state change of scoring_jobs a worker or dispatcher makes, each one guarded statement. Cross-tenant, so on
/// the admin role. A running job's updates all match (state running, worker, attempt): a worker that lost its lease
/// (or whose job was cancelled) changes nothing.
/// </summary>
public sealed class JobStore(ScoringDatabase database)
{
    private const string Returning = "RETURNING id, tenant_id, study_id, recording_id, bundle_id, state, attempts, error, coalesce(finished_at, now())";

    /// <summary>Takes a queued job for one attempt; null when it is not queued any more (a duplicate or stale message).</summary>
    public async Task<ClaimedJob?> ClaimAsync(Guid jobId, string worker, TimeSpan lease, CancellationToken cancellationToken)
    {
        await using var command = database.Admin.CreateCommand("""
            UPDATE scoring_jobs j
            SET state = 'running', attempts = j.attempts + 1, worker = $2, lease_expires_at = now() + $3,
                started_at = now(), finished_at = NULL, progress = 0, execution_provider = NULL, updated_at = now()
            FROM recordings r
            WHERE j.id = $1 AND j.state = 'queued' AND r.id = j.recording_id
            RETURNING j.tenant_id, j.study_id, j.recording_id, j.bundle_id, j.attempts, j.max_attempts, r.blob_name, r.original_file_name, r.media, r.sha256
            """);
        command.Parameters.Add(new() { Value = jobId });
        command.Parameters.Add(new() { Value = worker });
        command.Parameters.Add(new() { Value = lease });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }
        return new ClaimedJob(jobId, reader.GetGuid(0), reader.GetGuid(1), reader.GetGuid(2), reader.GetGuid(3),
            reader.GetInt32(4), reader.GetInt32(5), worker, reader.GetString(6), reader.GetString(7), reader.IsDBNull(8) ? null : reader.GetString(8), reader.GetString(9));
    }

    /// <summary>Renews the lease and records progress; false when the job is no longer this attempt's (cancelled or taken over).</summary>
    public async Task<bool> HeartbeatAsync(ClaimedJob job, float progress, TimeSpan lease, CancellationToken cancellationToken)
    {
        await using var command = Guarded("UPDATE scoring_jobs SET lease_expires_at = now() + $4, progress = $5, updated_at = now()", job);
        command.Parameters.Add(new() { Value = lease });
        command.Parameters.Add(new() { Value = Math.Clamp(progress, 0f, 1f) });
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <summary>
    /// Records a failed attempt: queued again after a backoff, or failed with this error once the attempts are used up.
    /// Null when the job was not this attempt's any more.
    /// </summary>
    public async Task<FinishedJob?> FailAttemptAsync(ClaimedJob job, string error, TimeSpan backoff, CancellationToken cancellationToken)
    {
        await using var command = Guarded("""
            UPDATE scoring_jobs SET
              state = CASE WHEN attempts >= max_attempts THEN 'failed' ELSE 'queued' END,
              error = $4,
              lease_expires_at = CASE WHEN attempts >= max_attempts THEN NULL ELSE now() + $5 * attempts END,
              finished_at = CASE WHEN attempts >= max_attempts THEN now() END,
              updated_at = now()
            """, job, Returning);
        command.Parameters.Add(new() { Value = error });
        command.Parameters.Add(new() { Value = backoff });
        return await ReadFinishedAsync(command, cancellationToken);
    }

    /// <summary>
    /// Fails the job now, whatever attempts are left: for a failure that another attempt would only repeat (the recording's
    /// bytes are not the registered ones). Null when the job was not this attempt's any more.
    /// </summary>
    public async Task<FinishedJob?> FailPermanentlyAsync(ClaimedJob job, string error, CancellationToken cancellationToken)
    {
        await using var command = Guarded(
            "UPDATE scoring_jobs SET state = 'failed', error = $4, lease_expires_at = NULL, finished_at = now(), updated_at = now()",
            job, Returning);
        command.Parameters.Add(new() { Value = error });
        return await ReadFinishedAsync(command, cancellationToken);
    }

    /// <summary>Gives a job back unfinished (graceful shutdown): queued at once, and the attempt does not count.</summary>
    public async Task<bool> ReleaseAsync(ClaimedJob job, CancellationToken cancellationToken)
    {
        await using var command = Guarded(
            "UPDATE scoring_jobs SET state = 'queued', attempts = attempts - 1, progress = 0, lease_expires_at = now(), updated_at = now()", job);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <summary>
    /// Running jobs whose lease expired (their worker died or hung): queued again, or failed once their attempts are
    /// used up. Returns the ones that failed, for their completion events.
    /// </summary>
    public async Task<IReadOnlyList<FinishedJob>> RequeueExpiredAsync(CancellationToken cancellationToken)
    {
        await using var command = database.Admin.CreateCommand($"""
            UPDATE scoring_jobs SET
              state = CASE WHEN attempts >= max_attempts THEN 'failed' ELSE 'queued' END,
              error = 'attempt ' || attempts || ': worker ' || coalesce(worker, '?') || ' stopped renewing its lease',
              lease_expires_at = CASE WHEN attempts >= max_attempts THEN NULL ELSE now() END,
              finished_at = CASE WHEN attempts >= max_attempts THEN now() END,
              updated_at = now()
            WHERE state = 'running' AND lease_expires_at < now()
            {Returning}
            """);
        var all = await ReadAllAsync(command, cancellationToken);
        return all.Where(j => j.State == "failed").ToList();
    }

    /// <summary>
    /// Queued jobs due for a message (never published, or published so long ago that the message must be lost): their
    /// dispatch lease is pushed forward in the same statement, so concurrent dispatchers never publish one job twice.
    /// </summary>
    public async Task<IReadOnlyList<Guid>> TakeDueAsync(int limit, TimeSpan redispatchAfter, CancellationToken cancellationToken)
    {
        await using var command = database.Admin.CreateCommand("""
            WITH due AS (
              SELECT id FROM scoring_jobs
              WHERE state = 'queued' AND (lease_expires_at IS NULL OR lease_expires_at <= now())
              ORDER BY created_at
              LIMIT $1
              FOR UPDATE SKIP LOCKED)
            UPDATE scoring_jobs j SET lease_expires_at = now() + $2, updated_at = now()
            FROM due WHERE j.id = due.id
            RETURNING j.id
            """);
        command.Parameters.Add(new() { Value = limit });
        command.Parameters.Add(new() { Value = redispatchAfter });
        var ids = new List<Guid>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            ids.Add(reader.GetGuid(0));
        }
        return ids;
    }

    /// <summary>Sets the dispatch lease of queued jobs whose message could not be sent, so they are sent again after <paramref name="delay"/>.</summary>
    public async Task PostponeAsync(Guid[] jobIds, TimeSpan delay, CancellationToken cancellationToken)
    {
        await using var command = database.Admin.CreateCommand(
            "UPDATE scoring_jobs SET lease_expires_at = now() + $2, updated_at = now() WHERE id = ANY($1) AND state = 'queued'");
        command.Parameters.Add(new() { Value = jobIds });
        command.Parameters.Add(new() { Value = delay });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The job's state, or null when there is no such job.</summary>
    public async Task<string?> StateAsync(Guid jobId, CancellationToken cancellationToken)
    {
        await using var command = database.Admin.CreateCommand("SELECT state FROM scoring_jobs WHERE id = $1");
        command.Parameters.Add(new() { Value = jobId });
        return await command.ExecuteScalarAsync(cancellationToken) as string;
    }

    private NpgsqlCommand Guarded(string update, ClaimedJob job, string returning = "")
    {
        var command = database.Admin.CreateCommand($"{update} WHERE id = $1 AND state = 'running' AND worker = $2 AND attempts = $3 {returning}");
        command.Parameters.Add(new() { Value = job.Id });
        command.Parameters.Add(new() { Value = job.Worker });
        command.Parameters.Add(new() { Value = job.Attempt });
        return command;
    }

    private static async Task<FinishedJob?> ReadFinishedAsync(NpgsqlCommand command, CancellationToken cancellationToken) =>
        (await ReadAllAsync(command, cancellationToken)).FirstOrDefault();

    private static async Task<List<FinishedJob>> ReadAllAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var jobs = new List<FinishedJob>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            jobs.Add(new FinishedJob(reader.GetGuid(0), reader.GetGuid(1), reader.GetGuid(2), reader.GetGuid(3), reader.GetGuid(4),
                reader.GetString(5), reader.GetInt32(6), reader.IsDBNull(7) ? null : reader.GetString(7), reader.GetFieldValue<DateTimeOffset>(8)));
        }
        return jobs;
    }
}
