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

    /// <summary>Erases one recording of the study with its jobs and results (<see cref="EraseAsync"/>).</summary>
    public Task<Erasure> EraseRecordingAsync(Guid tenantId, Guid studyId, Guid recordingId, CancellationToken cancellationToken) =>
        EraseAsync(tenantId, studyId, recordingId, cancellationToken,
            "SELECT id FROM scoring_jobs WHERE study_id = $1 AND recording_id = $2 ORDER BY id FOR UPDATE",
            "DELETE FROM recordings WHERE study_id = $1 AND id = $2 RETURNING blob_name",
            owners: []);

    /// <summary>Erases a participant of the study with its recordings, jobs and results (<see cref="EraseAsync"/>).</summary>
    public Task<Erasure> EraseParticipantAsync(Guid tenantId, Guid studyId, Guid participantId, CancellationToken cancellationToken) =>
        EraseAsync(tenantId, studyId, participantId, cancellationToken,
            "SELECT j.id FROM scoring_jobs j JOIN recordings r ON r.id = j.recording_id WHERE j.study_id = $1 AND r.participant_id = $2 ORDER BY j.id FOR UPDATE OF j",
            "DELETE FROM recordings WHERE study_id = $1 AND participant_id = $2",
            owners: ["DELETE FROM participants WHERE study_id = $1 AND id = $2"]);

    /// <summary>Erases the study: its participants, recordings, jobs, results and runs (<see cref="EraseAsync"/>).</summary>
    public Task<Erasure> EraseStudyAsync(Guid tenantId, Guid studyId, CancellationToken cancellationToken) =>
        EraseAsync(tenantId, studyId, studyId, cancellationToken,
            "SELECT id FROM scoring_jobs WHERE study_id = $1 ORDER BY id FOR UPDATE",
            "DELETE FROM recordings WHERE study_id = $1",
            owners: ["DELETE FROM participants WHERE study_id = $1", "DELETE FROM studies WHERE id = $1"], runsGoWithOwner: true);

    /// <summary>
    /// Every erasure of the study's rows, in one transaction with the tenant set and in one order (docs/architecture.md):
    /// (1) the jobs, locked: a scoring silo's timeline write holds its job row and then takes the recording by the
    /// timeline's foreign key, so an erasure waiting for a job holds nothing that write needs and never deadlocks with
    /// it; (2) the recordings, whose timelines, scores and job deliveries cascade and whose usage trigger updates the
    /// tenant row; (3) the owner rows, if any (the participant; or the study's participants, then the study, whose runs
    /// cascade); (4) an open run left without any job ends, silently: its work was erased, so it has no
    /// <c>study.completed</c> to announce. When the recording, participant or study is not there, nothing changes.
    /// </summary>
    /// <param name="key">$2 of the statements (the recording or participant id).</param>
    /// <param name="owners">Owner rows to delete after the recordings; the last one's row count says whether it was found.</param>
    private async Task<Erasure> EraseAsync(Guid tenantId, Guid studyId, Guid key, CancellationToken cancellationToken,
        string lockJobs, string deleteRecordings, string[] owners, bool runsGoWithOwner = false)
    {
        var (connection, transaction) = await database.BeginTenantTransactionAsync(tenantId, cancellationToken);
        await using (connection)
        await using (transaction)
        {
            NpgsqlCommand Command(string sql) => new(sql, connection, transaction) { Parameters = { new() { Value = studyId }, new() { Value = key } } };
            await using (var jobs = Command(lockJobs))
            {
                await jobs.ExecuteNonQueryAsync(cancellationToken);
            }
            string? blobName;
            await using (var recordings = Command(deleteRecordings))
            {
                blobName = await recordings.ExecuteScalarAsync(cancellationToken) as string;
            }
            var found = blobName is not null;
            foreach (var owner in owners)
            {
                await using var delete = Command(owner);
                found = await delete.ExecuteNonQueryAsync(cancellationToken) > 0;
            }
            if (!found)
            {
                await transaction.RollbackAsync(cancellationToken);
                return Erasure.NotFound;
            }
            var endedRun = false;
            if (!runsGoWithOwner)
            {
                await using var end = Command("""
                    UPDATE study_runs r SET completed_at = now()
                    WHERE r.study_id = $1 AND r.completed_at IS NULL AND NOT EXISTS (SELECT 1 FROM scoring_jobs j WHERE j.run_id = r.id)
                    """);
                endedRun = await end.ExecuteNonQueryAsync(cancellationToken) > 0;
            }
            await transaction.CommitAsync(cancellationToken);
            return new Erasure(Found: true, blobName, endedRun);
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
            SELECT j.id, j.recording_id, j.state, j.progress, j.attempts, j.error, r.original_file_name, p.code, r.duration_seconds
            FROM scoring_jobs j JOIN recordings r ON r.id = j.recording_id JOIN participants p ON p.id = r.participant_id
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
            jobs.Add((ReadJob(reader), reader.GetDouble(8)));
        }
        return new RunView(run.Id, run.Started, run.Completed, jobs);
    }

    public async Task<JobSnapshot?> JobAsync(Guid studyId, Guid jobId, CancellationToken cancellationToken)
    {
        await using var command = database.Admin.CreateCommand(
            """
            SELECT j.id, j.recording_id, j.state, j.progress, j.attempts, j.error, r.original_file_name, p.code
            FROM scoring_jobs j JOIN recordings r ON r.id = j.recording_id JOIN participants p ON p.id = r.participant_id
            WHERE j.id = $1 AND j.study_id = $2
            """);
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
                WHERE id = $1 AND tenant_id = $2 AND completed_at IS NULL
                  AND NOT EXISTS (SELECT 1 FROM scoring_jobs WHERE run_id = $1 AND state IN ('{JobStates.Queued}', '{JobStates.Running}'))
                RETURNING completed_at
                """, connection, transaction) { Parameters = { new() { Value = runId }, new() { Value = tenantId } } };
            if (await complete.ExecuteScalarAsync(cancellationToken) is not DateTime and not DateTimeOffset)
            {
                await transaction.RollbackAsync(cancellationToken);
                return null;
            }
            // The event body is defined with the job events' in migrations/0010_webhook_events.sql. The run was
            // matched on its tenant as well as on row-level security, so the fan-out (to the run's tenant's webhooks
            // only, by that function's own filter) never starts from another tenant's run.
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
        reader.IsDBNull(5) ? null : reader.GetString(5), reader.GetString(6), reader.GetString(7));

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
