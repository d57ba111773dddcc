using EmiPlatform.Abstractions.Jobs;
using EmiPlatform.Abstractions.Studies;
using EmiPlatform.Data;
using EmiPlatform.Data.Entities;
using EmiPlatform.Data.Jobs;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace EmiPlatform.Grains.Studies;

/// <summary>
/// The study grain's reads and writes. Writes run on the application role with the study's tenant set, each in one
/// transaction that commits before the grain announces anything; nothing here awaits another grain.
/// </summary>
public sealed class StudyStore(EmiDataSources database)
{
    /// <summary>Quota violation raised by the recordings_track_usage trigger (migrations/0002).</summary>
    private const string QuotaExceededSqlState = "EMIQ1";

    public async Task<Guid?> TenantOfAsync(Guid studyId, CancellationToken cancellationToken)
    {
        await using var command = database.Admin.CreateCommand("SELECT tenant_id FROM studies WHERE id = $1");
        command.Parameters.Add(new() { Value = studyId });
        return await command.ExecuteScalarAsync(cancellationToken) as Guid?;
    }

    public async Task<RegistrationOutcome> RegisterAsync(
        Guid tenantId, Guid studyId, RecordingRegistration r, int maxAttempts, CancellationToken cancellationToken)
    {
        try
        {
            return await InTenantTransactionAsync(tenantId, async (db, now) =>
            {
                if (await DuplicateOfAsync(db, r.ParticipantId, r.Sha256, cancellationToken) is { } existing)
                {
                    return new RegistrationOutcome(RegistrationResult.Duplicate, existing, null);
                }
                var m = r.Media;
                db.Recordings.Add(new Recording
                {
                    Id = r.RecordingId,
                    TenantId = tenantId,
                    StudyId = studyId,
                    ParticipantId = r.ParticipantId,
                    Stimulus = r.Stimulus,
                    Trial = r.Trial,
                    OriginalFileName = r.OriginalFileName,
                    ContentType = r.ContentType,
                    SizeBytes = r.SizeBytes,
                    Sha256 = r.Sha256,
                    BlobName = r.BlobName,
                    DurationSeconds = m.DurationSeconds,
                    FormatName = m.FormatName,
                    AudioCodec = m.AudioCodec,
                    SampleRate = m.SampleRate,
                    AudioChannels = m.AudioChannels,
                    VideoCodec = m.VideoCodec,
                    Width = m.Width,
                    Height = m.Height,
                    FrameRate = m.FrameRate,
                    Rotation = m.Rotation,
                    Media = m.Stored,
                    CreatedAt = now,
                });
                var run = await OpenRunAsync(db, tenantId, studyId, now, cancellationToken);
                var job = JobStore.NewQueued(tenantId, studyId, r.RecordingId, r.BundleId, run, maxAttempts, now);
                db.ScoringJobs.Add(job);
                await db.SaveChangesAsync(cancellationToken);
                return new RegistrationOutcome(RegistrationResult.Created, r.RecordingId, job.Id);
            }, cancellationToken);
        }
        catch (DbUpdateException ex) when (ex.InnerException is PostgresException { SqlState: QuotaExceededSqlState })
        {
            return new RegistrationOutcome(RegistrationResult.QuotaExceeded, null, null);
        }
        catch (DbUpdateException ex) when (ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            // The same bytes for the same participant won a race with this upload (through another study grain
            // activation during a failover): answer with that recording.
            var winner = await InTenantTransactionAsync(tenantId, (db, _) => DuplicateOfAsync(db, r.ParticipantId, r.Sha256, cancellationToken), cancellationToken);
            return winner is null ? throw new InvalidOperationException("Unique violation without a matching recording.", ex)
                : new RegistrationOutcome(RegistrationResult.Duplicate, winner, null);
        }
    }

    public Task<RescoreOutcome> RescoreAsync(
        Guid tenantId, Guid studyId, Guid bundleId, Guid? recordingId, int maxAttempts, CancellationToken cancellationToken) =>
        InTenantTransactionAsync(tenantId, async (db, now) =>
        {
            var recordings = await db.Recordings.AsNoTracking()
                .Where(x => x.StudyId == studyId && (recordingId == null || x.Id == recordingId)).Select(x => x.Id).ToListAsync(cancellationToken);
            if (recordingId is not null && recordings.Count == 0)
            {
                return new RescoreOutcome([], 0, null, RecordingFound: false);
            }
            var active = await db.ScoringJobs.AsNoTracking()
                .Where(j => j.StudyId == studyId && j.BundleId == bundleId && (j.State == JobState.Queued || j.State == JobState.Running)
                    && (recordingId == null || j.RecordingId == recordingId))
                .Select(j => new { j.Id, j.RecordingId }).ToListAsync(cancellationToken);
            var busy = active.Select(a => a.RecordingId).ToHashSet();
            var todo = recordings.Where(id => !busy.Contains(id)).ToList();
            if (todo.Count == 0)
            {
                return new RescoreOutcome([], recordings.Count, active.FirstOrDefault()?.Id, RecordingFound: true);
            }
            var run = await OpenRunAsync(db, tenantId, studyId, now, cancellationToken);
            var jobs = todo.Select(id => JobStore.NewQueued(tenantId, studyId, id, bundleId, run, maxAttempts, now)).ToList();
            db.ScoringJobs.AddRange(jobs);
            await db.SaveChangesAsync(cancellationToken);
            return new RescoreOutcome([.. jobs.Select(j => j.Id)], recordings.Count - todo.Count, null, RecordingFound: true);
        }, cancellationToken);

    /// <summary>Deletes the recording (its jobs, timeline and aggregate cascade); returns its blob name, or null when absent.</summary>
    public async Task<string?> EraseRecordingAsync(Guid tenantId, Guid studyId, Guid recordingId, CancellationToken cancellationToken)
    {
        var (connection, transaction) = await database.BeginTenantTransactionAsync(tenantId, cancellationToken);
        await using (connection)
        await using (transaction)
        {
            // Its jobs first, then the recording: the order a scoring silo's timeline write takes them in (the job row,
            // then the recording by the timeline's foreign key), so an erasure during that write waits instead of deadlocking.
            await using (var jobs = new NpgsqlCommand("SELECT 1 FROM scoring_jobs WHERE recording_id = $1 FOR UPDATE", connection, transaction)
            {
                Parameters = { new() { Value = recordingId } },
            })
            {
                await jobs.ExecuteNonQueryAsync(cancellationToken);
            }
            await using var command = new NpgsqlCommand("DELETE FROM recordings WHERE id = $1 AND study_id = $2 RETURNING blob_name", connection, transaction)
            {
                Parameters = { new() { Value = recordingId }, new() { Value = studyId } },
            };
            var blobName = await command.ExecuteScalarAsync(cancellationToken) as string;
            await transaction.CommitAsync(cancellationToken);
            return blobName;
        }
    }

    /// <summary>The study's open run, or else its latest one, with its jobs and their recordings' durations.</summary>
    public async Task<RunView?> LatestRunAsync(Guid studyId, CancellationToken cancellationToken)
    {
        await using var batch = database.Admin.CreateBatch();
        batch.BatchCommands.Add(new NpgsqlBatchCommand("""
            SELECT id, started_at, completed_at FROM study_runs WHERE study_id = $1
            ORDER BY completed_at IS NULL DESC, started_at DESC LIMIT 1
            """) { Parameters = { new() { Value = studyId } } });
        batch.BatchCommands.Add(new NpgsqlBatchCommand("""
            SELECT j.id, j.recording_id, j.state, j.progress, j.attempts, j.error, r.duration_seconds
            FROM scoring_jobs j JOIN recordings r ON r.id = j.recording_id
            WHERE j.run_id = (SELECT id FROM study_runs WHERE study_id = $1 ORDER BY completed_at IS NULL DESC, started_at DESC LIMIT 1)
            ORDER BY j.created_at, j.id
            """) { Parameters = { new() { Value = studyId } } });
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }
        var run = (Id: reader.GetGuid(0), Started: reader.GetFieldValue<DateTimeOffset>(1),
            Completed: reader.IsDBNull(2) ? (DateTimeOffset?)null : reader.GetFieldValue<DateTimeOffset>(2));
        await reader.NextResultAsync(cancellationToken);
        var jobs = new List<(JobSnapshot, double)>();
        while (await reader.ReadAsync(cancellationToken))
        {
            jobs.Add((ReadJob(reader), reader.GetDouble(6)));
        }
        return new RunView(run.Id, run.Started, run.Completed, jobs);
    }

    public async Task<JobSnapshot?> JobAsync(Guid studyId, Guid jobId, CancellationToken cancellationToken)
    {
        await using var command = database.Admin.CreateCommand(
            "SELECT id, recording_id, state, progress, attempts, error FROM scoring_jobs WHERE id = $1 AND study_id = $2");
        command.Parameters.Add(new() { Value = jobId });
        command.Parameters.Add(new() { Value = studyId });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadJob(reader) : null;
    }

    /// <summary>
    /// Ends the run if none of its jobs is queued or running, and enqueues its study.completed deliveries in the same
    /// transaction. The conditional UPDATE makes it happen once, however often and wherever it is asked.
    /// </summary>
    public async Task<DateTimeOffset?> CompleteRunAsync(Guid tenantId, Guid runId, CancellationToken cancellationToken)
    {
        var (connection, transaction) = await database.BeginTenantTransactionAsync(tenantId, cancellationToken);
        await using (connection)
        await using (transaction)
        {
            await using var complete = new NpgsqlCommand($"""
                UPDATE study_runs SET completed_at = now()
                WHERE id = $1 AND completed_at IS NULL
                  AND NOT EXISTS (SELECT 1 FROM scoring_jobs WHERE run_id = $1 AND state IN ('{JobStates.Queued}', '{JobStates.Running}'))
                RETURNING completed_at
                """, connection, transaction) { Parameters = { new() { Value = runId } } };
            if (await complete.ExecuteScalarAsync(cancellationToken) is not DateTime and not DateTimeOffset)
            {
                await transaction.RollbackAsync(cancellationToken);
                return null;
            }
            // The event body is defined with the job events' in migrations/0010_webhook_events.sql.
            await using var announce = new NpgsqlCommand("SELECT enqueue_study_completed($1)", connection, transaction)
            {
                Parameters = { new() { Value = runId } },
            };
            await announce.ExecuteNonQueryAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return DateTimeOffset.UtcNow;
        }
    }

    private static JobSnapshot ReadJob(NpgsqlDataReader reader) => new(
        reader.GetGuid(0), reader.GetGuid(1), JobStates.Parse(reader.GetString(2)), reader.GetFloat(3), reader.GetInt32(4),
        reader.IsDBNull(5) ? null : reader.GetString(5));

    /// <summary>The study's open run, opened now if there is none (the unique index allows one open run per study).</summary>
    private static async Task<Guid> OpenRunAsync(EmiDbContext db, Guid tenantId, Guid studyId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (await db.StudyRuns.Where(x => x.StudyId == studyId && x.CompletedAt == null).Select(x => (Guid?)x.Id).SingleOrDefaultAsync(cancellationToken) is { } open)
        {
            return open;
        }
        var run = new StudyRun { Id = Guid.CreateVersion7(now), TenantId = tenantId, StudyId = studyId, StartedAt = now };
        db.StudyRuns.Add(run);
        return run.Id;
    }

    private static Task<Guid?> DuplicateOfAsync(EmiDbContext db, Guid participantId, string sha256, CancellationToken cancellationToken) =>
        db.Recordings.AsNoTracking().Where(x => x.ParticipantId == participantId && x.Sha256 == sha256).Select(x => (Guid?)x.Id).SingleOrDefaultAsync(cancellationToken);

    private async Task<T> InTenantTransactionAsync<T>(Guid tenantId, Func<EmiDbContext, DateTimeOffset, Task<T>> work, CancellationToken cancellationToken)
    {
        var (connection, transaction) = await database.BeginTenantTransactionAsync(tenantId, cancellationToken);
        await using (connection)
        await using (transaction)
        {
            await using var db = new EmiDbContext(new DbContextOptionsBuilder<EmiDbContext>().UseNpgsql(connection).Options);
            await db.Database.UseTransactionAsync(transaction, cancellationToken);
            var result = await work(db, DateTimeOffset.UtcNow);
            await transaction.CommitAsync(cancellationToken);
            return result;
        }
    }
}
