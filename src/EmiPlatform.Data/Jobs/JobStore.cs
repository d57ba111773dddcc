using EmiPlatform.Abstractions.Jobs;
using EmiPlatform.Abstractions.Studies;
using EmiPlatform.Data.Entities;
using Npgsql;

namespace EmiPlatform.Data.Jobs;

/// <summary>
/// Every transition of a scoring job, and the only code that writes <c>scoring_jobs</c>: creation (by the study
/// grain, in its registration transaction), release to the transport (tenant grain), claim, heartbeat, success,
/// failure and give-back (scoring silos), lease expiry and cancel (study grain). Each is one guarded statement:
/// a running job's updates all match (state running, worker, attempt), so a worker that lost its lease, or whose
/// job was cancelled, changes nothing. Cross-tenant statements run on the admin role.
/// </summary>
public sealed class JobStore(EmiDataSources database)
{
    private static readonly string Queued = JobStates.Queued;
    private static readonly string Running = JobStates.Running;
    private static readonly string Succeeded = JobStates.Succeeded;
    private static readonly string Failed = JobStates.Failed;
    private static readonly string Cancelled = JobStates.Cancelled;

    private const string Returning = "RETURNING id, tenant_id, study_id, recording_id, bundle_id, state, attempts, error, coalesce(finished_at, now())";

    /// <summary>A new job row: queued, no dispatch lease (its tenant grain releases it).</summary>
    public static ScoringJob NewQueued(Guid tenantId, Guid studyId, Guid recordingId, Guid bundleId, Guid runId, int maxAttempts, DateTimeOffset now) => new()
    {
        Id = Guid.CreateVersion7(now),
        TenantId = tenantId,
        StudyId = studyId,
        RecordingId = recordingId,
        BundleId = bundleId,
        RunId = runId,
        State = JobState.Queued,
        MaxAttempts = maxAttempts,
        CreatedAt = now,
        UpdatedAt = now,
    };

    /// <summary>Takes a queued job for one attempt; null when it is not queued any more (a duplicate or stale message).</summary>
    public async Task<ClaimedJob?> ClaimAsync(Guid jobId, string worker, TimeSpan lease, CancellationToken cancellationToken)
    {
        await using var command = database.Admin.CreateCommand($"""
            UPDATE scoring_jobs j
            SET state = '{Running}', attempts = j.attempts + 1, worker = $2, lease_expires_at = now() + $3,
                started_at = now(), finished_at = NULL, progress = 0, execution_provider = NULL, updated_at = now()
            FROM recordings r
            WHERE j.id = $1 AND j.state = '{Queued}' AND r.id = j.recording_id
            RETURNING j.tenant_id, j.study_id, j.recording_id, j.bundle_id, j.attempts, j.max_attempts, r.blob_name, r.original_file_name, r.media, r.sha256,
              now() - j.created_at
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
            reader.GetInt32(4), reader.GetInt32(5), worker, reader.GetString(6), reader.GetString(7), reader.IsDBNull(8) ? null : reader.GetString(8), reader.GetString(9),
            reader.GetFieldValue<TimeSpan>(10));
    }

    /// <summary>Renews the lease and records progress; false when the job is no longer this attempt's (cancelled or taken over).</summary>
    public async Task<bool> HeartbeatAsync(ClaimedJob job, float progress, TimeSpan lease, CancellationToken cancellationToken)
    {
        await using var command = Guarded(database.Admin.CreateCommand(), "UPDATE scoring_jobs SET lease_expires_at = now() + $4, progress = $5, updated_at = now()", job);
        command.Parameters.Add(new() { Value = lease });
        command.Parameters.Add(new() { Value = Math.Clamp(progress, 0f, 1f) });
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <summary>
    /// Locks the job row inside the caller's transaction if it is still this attempt's: a cancel or a lease takeover
    /// then waits for that transaction, or the caller sees it and writes nothing.
    /// </summary>
    public static async Task<bool> LockOwnedAsync(NpgsqlConnection connection, ClaimedJob job, CancellationToken cancellationToken)
    {
        await using var command = Guarded(new NpgsqlCommand { Connection = connection }, "SELECT 1 FROM scoring_jobs", job, "FOR UPDATE");
        return await command.ExecuteScalarAsync(cancellationToken) is not null;
    }

    /// <summary>Marks a locked, owned job succeeded, inside the transaction that wrote its results.</summary>
    public static async Task SucceedAsync(NpgsqlConnection connection, ClaimedJob job, string executionProvider, CancellationToken cancellationToken)
    {
        await using var command = Guarded(new NpgsqlCommand { Connection = connection }, $"""
            UPDATE scoring_jobs SET state = '{Succeeded}', progress = 1, error = NULL, lease_expires_at = NULL,
              execution_provider = $4, finished_at = now(), updated_at = now()
            """, job);
        command.Parameters.Add(new() { Value = executionProvider.Length <= 50 ? executionProvider : executionProvider[..50] });
        if (await command.ExecuteNonQueryAsync(cancellationToken) != 1)
        {
            throw new InvalidOperationException($"Job {job.Id} was locked as this attempt's but could not be marked succeeded.");
        }
    }

    /// <summary>
    /// Records a failed attempt: queued again after a backoff, or failed with this error once the attempts are used
    /// up. Null when the job was not this attempt's any more.
    /// </summary>
    public async Task<FinishedJob?> FailAttemptAsync(ClaimedJob job, string error, TimeSpan backoff, CancellationToken cancellationToken)
    {
        await using var command = Guarded(database.Admin.CreateCommand(), $"""
            UPDATE scoring_jobs SET
              state = CASE WHEN attempts >= max_attempts THEN '{Failed}' ELSE '{Queued}' END,
              error = $4,
              lease_expires_at = CASE WHEN attempts >= max_attempts THEN NULL ELSE now() + $5 * attempts END,
              finished_at = CASE WHEN attempts >= max_attempts THEN now() END,
              updated_at = now()
            """, job, Returning);
        command.Parameters.Add(new() { Value = error });
        command.Parameters.Add(new() { Value = backoff });
        return (await ReadFinishedAsync(command, cancellationToken)).FirstOrDefault();
    }

    /// <summary>
    /// Fails the job now, whatever attempts are left: for a failure that another attempt would only repeat (the recording's
    /// bytes are not the registered ones). Null when the job was not this attempt's any more.
    /// </summary>
    public async Task<FinishedJob?> FailPermanentlyAsync(ClaimedJob job, string error, CancellationToken cancellationToken)
    {
        await using var command = Guarded(database.Admin.CreateCommand(),
            $"UPDATE scoring_jobs SET state = '{Failed}', error = $4, lease_expires_at = NULL, finished_at = now(), updated_at = now()", job, Returning);
        command.Parameters.Add(new() { Value = error });
        return (await ReadFinishedAsync(command, cancellationToken)).FirstOrDefault();
    }

    /// <summary>Gives a job back unfinished (graceful shutdown): queued at once, and the attempt does not count.</summary>
    public async Task<bool> ReleaseAsync(ClaimedJob job, CancellationToken cancellationToken)
    {
        await using var command = Guarded(database.Admin.CreateCommand(),
            $"UPDATE scoring_jobs SET state = '{Queued}', attempts = attempts - 1, progress = 0, lease_expires_at = NULL, updated_at = now()", job);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <summary>
    /// The study's running jobs whose lease expired (their worker died or hung): queued again, or failed once their
    /// attempts are used up. Returns every job it changed.
    /// </summary>
    public async Task<IReadOnlyList<FinishedJob>> RequeueExpiredAsync(Guid studyId, CancellationToken cancellationToken)
    {
        await using var command = database.Admin.CreateCommand($"""
            UPDATE scoring_jobs SET
              state = CASE WHEN attempts >= max_attempts THEN '{Failed}' ELSE '{Queued}' END,
              error = 'attempt ' || attempts || ': worker ' || coalesce(worker, '?') || ' stopped renewing its lease',
              lease_expires_at = NULL,
              finished_at = CASE WHEN attempts >= max_attempts THEN now() END,
              updated_at = now()
            WHERE study_id = $1 AND state = '{Running}' AND lease_expires_at < now()
            {Returning}
            """);
        command.Parameters.Add(new() { Value = studyId });
        return await ReadFinishedAsync(command, cancellationToken);
    }

    /// <summary>Cancels a queued or running job of the study; null when there is no such job, else its row afterwards.</summary>
    public async Task<(CancelOutcome Outcome, FinishedJob? Job)> CancelAsync(Guid studyId, Guid jobId, CancellationToken cancellationToken)
    {
        await using (var command = database.Admin.CreateCommand($"""
            UPDATE scoring_jobs SET state = '{Cancelled}', lease_expires_at = NULL, finished_at = now(), updated_at = now()
            WHERE id = $1 AND study_id = $2 AND state IN ('{Queued}', '{Running}')
            {Returning}
            """))
        {
            command.Parameters.Add(new() { Value = jobId });
            command.Parameters.Add(new() { Value = studyId });
            if ((await ReadFinishedAsync(command, cancellationToken)).FirstOrDefault() is { } cancelled)
            {
                return (CancelOutcome.Cancelled, cancelled);
            }
        }
        await using var read = database.Admin.CreateCommand("SELECT state FROM scoring_jobs WHERE id = $1 AND study_id = $2");
        read.Parameters.Add(new() { Value = jobId });
        read.Parameters.Add(new() { Value = studyId });
        return (await read.ExecuteScalarAsync(cancellationToken) as string) switch
        {
            null => (CancelOutcome.NotFound, null),
            var s when s == Succeeded => (CancelOutcome.AlreadySucceeded, null),
            var s when s == Failed => (CancelOutcome.AlreadyFailed, null),
            _ => (CancelOutcome.AlreadyCancelled, null),
        };
    }

    /// <summary>
    /// The tenant's jobs released and not finished (sent to the transport and not yet past their dispatch lease, or
    /// running), its queued jobs that may be released now, at most <paramref name="perStudy"/> per study, oldest
    /// first within each study, and how many other tenants have jobs queued or running (they split the slots).
    /// </summary>
    public async Task<SchedulingView> SchedulingViewAsync(Guid tenantId, int perStudy, CancellationToken cancellationToken)
    {
        await using var batch = database.Admin.CreateBatch();
        batch.BatchCommands.Add(new NpgsqlBatchCommand($"""
            SELECT count(*)::int FROM scoring_jobs
            WHERE tenant_id = $1 AND (state = '{Running}' OR (state = '{Queued}' AND lease_expires_at > now()))
            """) { Parameters = { new() { Value = tenantId } } });
        batch.BatchCommands.Add(new NpgsqlBatchCommand($"""
            SELECT id, study_id, created_at FROM (
              SELECT id, study_id, created_at, row_number() OVER (PARTITION BY study_id ORDER BY created_at, id) AS turn
              FROM scoring_jobs
              WHERE tenant_id = $1 AND state = '{Queued}' AND (lease_expires_at IS NULL OR lease_expires_at <= now())) due
            WHERE turn <= $2
            ORDER BY turn, created_at
            """) { Parameters = { new() { Value = tenantId }, new() { Value = perStudy } } });
        // Distinct tenants by skipping along ix_scoring_jobs_tenant_queued: one index probe per tenant with work, however
        // many jobs a tenant has queued. A suspended tenant's jobs wait, so it takes no part.
        batch.BatchCommands.Add(new NpgsqlBatchCommand($"""
            WITH RECURSIVE busy(tenant_id) AS (
              (SELECT tenant_id FROM scoring_jobs WHERE state IN ('{Queued}', '{Running}') ORDER BY tenant_id LIMIT 1)
              UNION ALL
              SELECT (SELECT j.tenant_id FROM scoring_jobs j
                      WHERE j.state IN ('{Queued}', '{Running}') AND j.tenant_id > busy.tenant_id ORDER BY j.tenant_id LIMIT 1)
              FROM busy WHERE busy.tenant_id IS NOT NULL)
            SELECT count(*)::int FROM busy JOIN tenants t ON t.id = busy.tenant_id
            WHERE busy.tenant_id <> $1 AND t.status = 'active'
            """) { Parameters = { new() { Value = tenantId } } });
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var inFlight = reader.GetInt32(0);
        await reader.NextResultAsync(cancellationToken);
        var due = new List<ReleasableJob>();
        while (await reader.ReadAsync(cancellationToken))
        {
            due.Add(new ReleasableJob(reader.GetGuid(0), reader.GetGuid(1), reader.GetFieldValue<DateTimeOffset>(2)));
        }
        await reader.NextResultAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new SchedulingView(inFlight, due, reader.GetInt32(0));
    }

    /// <summary>How many of the tenant's jobs are queued (released or not).</summary>
    public async Task<int> QueuedCountAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        await using var command = database.Admin.CreateCommand($"SELECT count(*)::int FROM scoring_jobs WHERE tenant_id = $1 AND state = '{Queued}'");
        command.Parameters.Add(new() { Value = tenantId });
        return (int)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>
    /// Marks queued jobs as released for <paramref name="redispatchAfter"/> (their message must be consumed by then, or
    /// they are released again: a lost message loses no job). Returns the ones still queued, which may be sent.
    /// </summary>
    public async Task<IReadOnlyList<Guid>> MarkReleasedAsync(IReadOnlyCollection<Guid> jobIds, TimeSpan redispatchAfter, CancellationToken cancellationToken)
    {
        await using var command = database.Admin.CreateCommand(
            $"UPDATE scoring_jobs SET lease_expires_at = now() + $2, updated_at = now() WHERE id = ANY($1) AND state = '{Queued}' RETURNING id");
        command.Parameters.Add(new() { Value = jobIds.ToArray() });
        command.Parameters.Add(new() { Value = redispatchAfter });
        var ids = new List<Guid>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            ids.Add(reader.GetGuid(0));
        }
        return ids;
    }

    /// <summary>Makes released jobs whose message could not be sent due again after <paramref name="delay"/>.</summary>
    public async Task PostponeAsync(IReadOnlyCollection<Guid> jobIds, TimeSpan delay, CancellationToken cancellationToken)
    {
        await using var command = database.Admin.CreateCommand(
            $"UPDATE scoring_jobs SET lease_expires_at = now() + $2, updated_at = now() WHERE id = ANY($1) AND state = '{Queued}'");
        command.Parameters.Add(new() { Value = jobIds.ToArray() });
        command.Parameters.Add(new() { Value = delay });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>How many jobs each tenant has in each state: what the <c>emi.jobs</c> gauge reports.</summary>
    public async Task<IReadOnlyList<(Guid TenantId, string State, long Count)>> CountByTenantAndStateAsync(CancellationToken cancellationToken)
    {
        await using var command = database.Admin.CreateCommand("SELECT tenant_id, state, count(*) FROM scoring_jobs GROUP BY tenant_id, state");
        var counts = new List<(Guid, string, long)>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            counts.Add((reader.GetGuid(0), reader.GetString(1), reader.GetInt64(2)));
        }
        return counts;
    }

    /// <summary>The job's state, or null when there is no such job.</summary>
    public async Task<JobState?> StateAsync(Guid jobId, CancellationToken cancellationToken)
    {
        await using var command = database.Admin.CreateCommand("SELECT state FROM scoring_jobs WHERE id = $1");
        command.Parameters.Add(new() { Value = jobId });
        return await command.ExecuteScalarAsync(cancellationToken) is string state ? JobStates.Parse(state) : null;
    }

    private static NpgsqlCommand Guarded(NpgsqlCommand command, string statement, ClaimedJob job, string suffix = "")
    {
        command.CommandText = $"{statement} WHERE id = $1 AND state = '{Running}' AND worker = $2 AND attempts = $3 {suffix}";
        command.Parameters.Add(new() { Value = job.Id });
        command.Parameters.Add(new() { Value = job.Worker });
        command.Parameters.Add(new() { Value = job.Attempt });
        return command;
    }

    private static async Task<List<FinishedJob>> ReadFinishedAsync(NpgsqlCommand command, CancellationToken cancellationToken)
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
