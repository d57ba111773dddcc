using EmiPlatform.Data;
using EmiPlatform.Results;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;

namespace EmiPlatform.Api.Timelines;

/// <summary>
/// Raw SQL over the scoring tables (no EF entities: they are the scoring pipeline's, and results are streamed rows,
/// not tracked objects). EmiDbContext's tenant query filter does not reach raw SQL, so every statement filters by tenant
/// itself and runs on the request's EF connection, whose interceptor has set <c>app.tenant_id</c>, so row-level security
/// filters it a second time.
/// </summary>
public static class ResultQueries
{
    /// <summary>Where a recordings row's aggregate scores start (after duration and window count).</summary>
    private const int AggregateScoresAt = 14;

    /// <summary>Where a windows row's scores start (after position, index, start and end).</summary>
    public const int WindowScoresAt = 4;

    /// <summary>Where a windows row's event columns start (after the scores).</summary>
    public static int WindowEventAt => WindowScoresAt + ScoreColumns.Count;


    /// <summary>
    /// Recordings with their identifiers and the chosen bundle: the one named, or else the newest registered bundle
    /// (model_bundles.registered_at) with a recording_scores row for the recording — the pipeline writes that row when
    /// a job succeeds, so a half-written timeline is never reported. Columns 12–25 are that bundle's aggregate.
    /// </summary>
    private static readonly string RecordingsSql = $"""
        SELECT r.id, r.study_id, s.name, r.participant_id, p.code, r.original_file_name, r.stimulus, r.trial,
               b.bundle_id, b.name, b.version, b.trained,
               b.duration_seconds, b.window_count, {ScoreColumns.SqlList("b.")}, {FeatureColumns.SqlListOf("b.")}
          FROM recordings r
          JOIN studies s ON s.id = r.study_id AND s.tenant_id = @tenant
          JOIN participants p ON p.id = r.participant_id AND p.tenant_id = @tenant
          LEFT JOIN LATERAL (
                SELECT rs.*, mb.name, mb.version, mb.trained
                  FROM recording_scores rs
                  JOIN model_bundles mb ON mb.id = rs.bundle_id
                 WHERE rs.tenant_id = @tenant AND rs.recording_id = r.id AND (@bundle IS NULL OR rs.bundle_id = @bundle)
                 ORDER BY mb.registered_at DESC, mb.name DESC, mb.version DESC
                 LIMIT 1) b ON true
         WHERE r.tenant_id = @tenant
           AND (@study IS NULL OR r.study_id = @study)
           AND (@participant IS NULL OR r.participant_id = @participant)
           AND (@recording IS NULL OR r.id = @recording)
         ORDER BY p.code, r.created_at, r.id
        """;

    /// <summary>
    /// Every recording of a study with what became of its scoring: the chosen bundle's result as in
    /// <see cref="RecordingsSql"/> (its name, version, trained flag and window count), else the recording's latest job
    /// (of that bundle when one is named): its state, error and bundle. Columns: 0–7 as in <see cref="RecordingsSql"/>,
    /// 8 result bundle name, 9 version, 10 trained, 11 window count, 12 job state, 13 job error, 14 job bundle name,
    /// 15 version, 16 trained.
    /// </summary>
    private const string StatusesSql = """
        SELECT r.id, r.study_id, s.name, r.participant_id, p.code, r.original_file_name, r.stimulus, r.trial,
               b.name, b.version, b.trained, b.window_count, j.state, j.error, jb.name, jb.version, jb.trained
          FROM recordings r
          JOIN studies s ON s.id = r.study_id AND s.tenant_id = @tenant
          JOIN participants p ON p.id = r.participant_id AND p.tenant_id = @tenant
          LEFT JOIN LATERAL (
                SELECT rs.window_count, mb.name, mb.version, mb.trained
                  FROM recording_scores rs
                  JOIN model_bundles mb ON mb.id = rs.bundle_id
                 WHERE rs.tenant_id = @tenant AND rs.recording_id = r.id AND (@bundle IS NULL OR rs.bundle_id = @bundle)
                 ORDER BY mb.registered_at DESC, mb.name DESC, mb.version DESC
                 LIMIT 1) b ON true
          LEFT JOIN LATERAL (
                SELECT sj.state, sj.error, sj.bundle_id
                  FROM scoring_jobs sj
                 WHERE sj.tenant_id = @tenant AND sj.recording_id = r.id AND (@bundle IS NULL OR sj.bundle_id = @bundle)
                 ORDER BY sj.created_at DESC, sj.id DESC
                 LIMIT 1) j ON true
          LEFT JOIN model_bundles jb ON jb.id = j.bundle_id
         WHERE r.tenant_id = @tenant AND r.study_id = @study
         ORDER BY p.code, r.created_at, r.id
        """;

    /// <summary>A reader over <see cref="StatusesSql"/>: one row per recording of the study, read with <see cref="ReadStatus"/>.</summary>
    public static async Task<NpgsqlDataReader> StatusesAsync(NpgsqlConnection connection, Guid tenantId, Guid studyId, Guid? bundleId,
        CancellationToken cancellationToken)
    {
        var command = new NpgsqlCommand(StatusesSql, connection);
        command.Parameters.AddWithValue("tenant", tenantId);
        AddOptional(command, "study", studyId);
        AddOptional(command, "bundle", bundleId);
        return await command.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess, cancellationToken);
    }

    /// <summary>A <see cref="StatusesSql"/> row: the recording (its bundle: the result's, else the latest job's) and what became of it.</summary>
    public static RecordingStatus ReadStatus(NpgsqlDataReader reader)
    {
        var identity = ReadIdentity(reader);
        var scored = !reader.IsDBNull(8);
        var resultName = scored ? reader.GetString(8) : null;
        var resultVersion = scored ? reader.GetString(9) : null;
        var resultTrained = scored && reader.GetBoolean(10);
        var windowCount = scored ? reader.GetInt32(11) : 0;
        var jobState = reader.IsDBNull(12) ? null : reader.GetString(12);
        var jobError = reader.IsDBNull(13) ? null : reader.GetString(13);
        var hasJobBundle = !reader.IsDBNull(14);
        var jobName = hasJobBundle ? reader.GetString(14) : null;
        var jobVersion = hasJobBundle ? reader.GetString(15) : null;
        var jobTrained = hasJobBundle && reader.GetBoolean(16);
        BundleInfo? bundle = scored ? new BundleInfo(Guid.Empty, resultName!, resultVersion!, resultTrained)
            : hasJobBundle ? new BundleInfo(Guid.Empty, jobName!, jobVersion!, jobTrained) : null;
        var recording = identity with { Bundle = bundle };
        var status = scored ? RecordingStatus.Scored : jobState ?? RecordingStatus.NotScored;
        return new RecordingStatus(recording, status, scored ? null : jobError, windowCount);
    }

    /// <summary>Opens the request's connection (the tenant interceptor runs on open) for raw commands.</summary>
    public static async Task<NpgsqlConnection> OpenAsync(EmiDbContext db, CancellationToken cancellationToken)
    {
        await db.Database.OpenConnectionAsync(cancellationToken);
        return (NpgsqlConnection)db.Database.GetDbConnection();
    }

    public static async Task<BundleInfo?> FindBundleAsync(NpgsqlConnection connection, ModelRef model, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT id, name, version, trained FROM model_bundles WHERE name = @name AND version = @version", connection);
        command.Parameters.AddWithValue("name", model.Name);
        command.Parameters.AddWithValue("version", model.Version);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new BundleInfo(reader.GetGuid(0), reader.GetString(1), reader.GetString(2), reader.GetBoolean(3))
            : null;
    }

    public static async Task<bool> StudyExistsAsync(NpgsqlConnection connection, Guid tenantId, Guid studyId, CancellationToken cancellationToken) =>
        await ExistsAsync(connection, "SELECT EXISTS (SELECT 1 FROM studies WHERE tenant_id = @tenant AND id = @id)", tenantId, studyId, cancellationToken);

    public static async Task<bool> ParticipantExistsAsync(NpgsqlConnection connection, Guid tenantId, Guid studyId, Guid participantId, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "SELECT EXISTS (SELECT 1 FROM participants WHERE tenant_id = @tenant AND study_id = @study AND id = @id)", connection);
        command.Parameters.AddWithValue("tenant", tenantId);
        command.Parameters.AddWithValue("study", studyId);
        command.Parameters.AddWithValue("id", participantId);
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>A reader over <see cref="RecordingsSql"/>; map rows with <see cref="ReadRecording"/> and <see cref="ReadAggregate"/>.</summary>
    public static async Task<NpgsqlDataReader> RecordingsAsync(NpgsqlConnection connection, Guid tenantId, Guid? studyId, Guid? participantId,
        Guid? recordingId, Guid? bundleId, CancellationToken cancellationToken)
    {
        var command = new NpgsqlCommand(RecordingsSql, connection);
        command.Parameters.AddWithValue("tenant", tenantId);
        AddOptional(command, "study", studyId);
        AddOptional(command, "participant", participantId);
        AddOptional(command, "recording", recordingId);
        AddOptional(command, "bundle", bundleId);
        // The command dies with its reader; nothing else holds it.
        return await command.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess, cancellationToken);
    }

    public static async Task<List<ScoredRecording>> ListRecordingsAsync(NpgsqlConnection connection, Guid tenantId, Guid? studyId, Guid? participantId,
        Guid? recordingId, Guid? bundleId, CancellationToken cancellationToken)
    {
        var list = new List<ScoredRecording>();
        await using var reader = await RecordingsAsync(connection, tenantId, studyId, participantId, recordingId, bundleId, cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var recording = ReadRecording(reader);
            list.Add(recording.Bundle is null ? recording : recording with { Features = ReadAggregate(reader).Features });
        }
        return list;
    }

    /// <summary>Columns 0–11 of a recordings row, in order (the reader is sequential).</summary>
    public static ScoredRecording ReadRecording(NpgsqlDataReader reader)
    {
        var identity = ReadIdentity(reader);
        BundleInfo? bundle = null;
        if (!reader.IsDBNull(8))
        {
            bundle = new BundleInfo(reader.GetGuid(8), reader.GetString(9), reader.GetString(10), reader.GetBoolean(11));
        }
        return identity with { Bundle = bundle };
    }

    /// <summary>Columns 0–7 of a recordings or statuses row: the recording as the lab names it, no bundle yet.</summary>
    private static ScoredRecording ReadIdentity(NpgsqlDataReader reader) => new(
        reader.GetGuid(0),
        reader.GetGuid(1),
        reader.GetString(2),
        reader.GetGuid(3),
        reader.GetString(4),
        reader.GetString(5),
        reader.IsDBNull(6) ? null : reader.GetString(6),
        reader.IsDBNull(7) ? null : reader.GetString(7),
        null);

    /// <summary>Columns 12 onwards of a scored recordings row; call after <see cref="ReadRecording"/>.</summary>
    public static RecordingAggregate ReadAggregate(NpgsqlDataReader reader)
    {
        var duration = reader.GetDouble(12);
        var windows = reader.GetInt32(13);
        var values = new object?[ScoreColumns.Count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = ReadValue(reader, AggregateScoresAt, i);
        }
        var features = new object?[FeatureColumns.Count];
        for (var i = 0; i < features.Length; i++)
        {
            var at = AggregateScoresAt + ScoreColumns.Count + i;
            features[i] = reader.IsDBNull(at) ? null : FeatureColumns.IsHash(i) ? reader.GetString(at) : reader.GetBoolean(at);
        }
        return new RecordingAggregate(duration, windows, values, features);
    }

    /// <summary>
    /// The windows of the given (recording, bundle) pairs, in the pairs' order then window order, overlapping
    /// [<paramref name="fromS"/>, <paramref name="toS"/>). Column 0 is the pair's 1-based position; 1 window_index,
    /// 2 start_s, 3 end_s, from <see cref="WindowScoresAt"/> the columns of <see cref="ScoreColumns.All"/>, then from
    /// <see cref="WindowEventAt"/> the window's event (<see cref="WindowEvent.Read"/>): joined here, when read, so setting a
    /// recording's events again changes its windows' events without a re-score.
    /// One statement for all pairs: each pair is a primary-key range scan that is already in window order.
    /// </summary>
    public static async Task<NpgsqlDataReader> WindowsAsync(NpgsqlConnection connection, Guid tenantId, IReadOnlyList<ScoredRecording> recordings,
        double? fromS, double? toS, CancellationToken cancellationToken)
    {
        var command = new NpgsqlCommand($"""
            SELECT c.ord, w.window_index, w.start_s, w.end_s, {ScoreColumns.SqlList("w.")},
                   e.event_index, e.kind, e.stimulus, e.trial, e.condition, (w.start_s + w.end_s) / 2 - e.onset_s
              FROM unnest(@recordings, @bundles) WITH ORDINALITY AS c(recording_id, bundle_id, ord)
             CROSS JOIN LATERAL (
                   SELECT * FROM timeline_windows t
                    WHERE t.tenant_id = @tenant AND t.recording_id = c.recording_id AND t.bundle_id = c.bundle_id
                      AND (@from IS NULL OR t.end_s > @from) AND (@to IS NULL OR t.start_s < @to)
                    ORDER BY t.window_index) w
              LEFT JOIN LATERAL (
                   SELECT ev.event_index, ev.kind, ev.stimulus, ev.trial, ev.condition, ev.onset_s FROM recording_events ev
                    WHERE ev.tenant_id = @tenant AND ev.recording_id = c.recording_id
                      AND ev.onset_s <= (w.start_s + w.end_s) / 2 AND (w.start_s + w.end_s) / 2 < ev.offset_s
                    LIMIT 1) e ON true
             ORDER BY c.ord, w.window_index
            """, connection);
        command.Parameters.AddWithValue("tenant", tenantId);
        command.Parameters.AddWithValue("recordings", recordings.Select(r => r.RecordingId).ToArray());
        command.Parameters.AddWithValue("bundles", recordings.Select(r => r.Bundle!.Id).ToArray());
        command.Parameters.Add(new NpgsqlParameter("from", NpgsqlDbType.Double) { Value = (object?)fromS ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter("to", NpgsqlDbType.Double) { Value = (object?)toS ?? DBNull.Value });
        return await command.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess, cancellationToken);
    }

    /// <summary>Column <paramref name="column"/> of <see cref="ScoreColumns.All"/>, found from <paramref name="at"/>: a float, a bool for flags, or null.</summary>
    public static object? ReadValue(NpgsqlDataReader reader, int at, int column) =>
        reader.IsDBNull(at + column) ? null
        : ScoreColumns.All[column].IsFlag ? reader.GetBoolean(at + column)
        : reader.GetFloat(at + column);

    private static void AddOptional(NpgsqlCommand command, string name, Guid? value) =>
        command.Parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.Uuid) { Value = (object?)value ?? DBNull.Value });

    private static async Task<bool> ExistsAsync(NpgsqlConnection connection, string sql, Guid tenantId, Guid id, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("tenant", tenantId);
        command.Parameters.AddWithValue("id", id);
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }
}
