using System.Security.Cryptography;
using EmiPlatform.Api.Recordings;
using EmiPlatform.Testing;
using Npgsql;
using NpgsqlTypes;

namespace EmiPlatform.Api.Tests.Infrastructure;

/// <summary>
/// Writes scoring results the way the pipeline will — bundles, recordings, timeline_windows by binary COPY, and the
/// recording_scores row computed from those windows — so results tests need no scored media. Each recording also
/// gets a tiny blob: the factory's end-of-class sweep insists every row has one. Values come from <see cref="Value"/>,
/// a pure function, so tests compute what they expect instead of hard-coding it.
/// </summary>
public sealed class TimelineSeeder(ApiFactory api)
{
    public const double WindowSeconds = 0.5;
    private static readonly IReadOnlyList<string> ScoreColumns = Results.ScoreColumns.Selectable;

    /// <summary>The seeded value of score column <paramref name="column"/> (an index of the platform's score columns) of a window, in [0, 1).</summary>
    public static float Value(int seed, int window, int column) =>
        (float)(((uint)(seed * 7919 + window * 104729 + column * 1299709) % 1000u) / 1000.0);

    public async Task<Guid> BundleAsync(string name, string version, DateTimeOffset registeredAt, bool trained = false)
    {
        var id = Guid.NewGuid();
        await ExecuteAsync("""
            INSERT INTO model_bundles (id, name, version, trained, location, manifest, registered_at)
            VALUES (@id, @name, @version, @trained, @location, '{"seeded": true}', @at)
            """, ("id", id), ("name", name), ("version", version), ("trained", trained), ("location", $"/seeded/{name}/{version}"), ("at", registeredAt));
        return id;
    }

    public async Task<Guid> ParticipantAsync(Guid tenantId, Guid studyId, string code)
    {
        var id = Guid.NewGuid();
        await ExecuteAsync("""
            INSERT INTO participants (id, tenant_id, study_id, code, created_at, updated_at) VALUES (@id, @tenant, @study, @code, now(), now())
            """, ("id", id), ("tenant", tenantId), ("study", studyId), ("code", code));
        return id;
    }

    public async Task<Guid> RecordingAsync(Guid tenantId, Guid studyId, Guid participantId, string fileName = "clip.mp4",
        string? stimulus = "joy-01", string? trial = "1")
    {
        var id = Guid.CreateVersion7();
        var blobName = RecordingBlobs.Name(tenantId, studyId, participantId, id);
        var bytes = id.ToByteArray();
        await api.Blobs.UploadAsync(blobName, new MemoryStream(bytes));
        await ExecuteAsync("""
            INSERT INTO recordings (id, tenant_id, study_id, participant_id, stimulus, trial, original_file_name, content_type, size_bytes,
                                    sha256, blob_name, duration_seconds, format_name, audio_codec, video_codec, created_at)
            VALUES (@id, @tenant, @study, @participant, @stimulus, @trial, @file, 'video/mp4', @size, @sha, @blob, 60, 'mov,mp4', 'aac', 'h264', clock_timestamp())
            """, ("id", id), ("tenant", tenantId), ("study", studyId), ("participant", participantId), ("stimulus", (object?)stimulus ?? DBNull.Value),
            ("trial", (object?)trial ?? DBNull.Value), ("file", fileName), ("size", (long)bytes.Length),
            ("sha", Convert.ToHexStringLower(SHA256.HashData(bytes))), ("blob", blobName));
        return id;
    }

    /// <summary>A finished scoring job (failed or cancelled: nothing the embedded worker would pick up), created at <paramref name="createdAt"/>.</summary>
    public async Task JobAsync(Guid tenantId, Guid studyId, Guid recordingId, Guid bundleId, string state, string? error, DateTimeOffset createdAt)
    {
        await ExecuteAsync("""
            INSERT INTO scoring_jobs (id, tenant_id, study_id, recording_id, bundle_id, state, attempts, max_attempts, error, created_at, finished_at, updated_at)
            VALUES (@id, @tenant, @study, @recording, @bundle, @state, 1, 3, @error, @at, @at, @at)
            """, ("id", Guid.CreateVersion7()), ("tenant", tenantId), ("study", studyId), ("recording", recordingId), ("bundle", bundleId),
            ("state", state), ("error", (object?)error ?? DBNull.Value), ("at", createdAt));
    }

    /// <summary>
    /// <paramref name="count"/> windows of <see cref="WindowSeconds"/> each, values from <see cref="Value"/> with
    /// <paramref name="seed"/>; without audio the VAD cells are null. Then the recording_scores row: the windows' mean.
    /// </summary>
    public Task TimelineAsync(Guid tenantId, Guid recordingId, Guid bundleId, int count, int seed, bool withAudio = true) =>
        TimelinesAsync(tenantId, [new SeededTimeline(recordingId, bundleId, count, seed, withAudio)]);

    /// <summary>Many timelines through one binary COPY (a million rows take seconds, not a minute of round trips).</summary>
    public async Task TimelinesAsync(Guid tenantId, IReadOnlyList<SeededTimeline> timelines)
    {
        await using var connection = new NpgsqlConnection(api.Database.Owner);
        await connection.OpenAsync();
        var jobs = timelines.Select(_ => Guid.NewGuid()).ToArray();
        await using (var copy = await connection.BeginBinaryImportAsync(
            $"COPY timeline_windows (tenant_id, recording_id, bundle_id, job_id, window_index, start_s, end_s, {string.Join(", ", ScoreColumns)}, has_audio, has_video) FROM STDIN (FORMAT BINARY)"))
        {
            for (var t = 0; t < timelines.Count; t++)
            {
                var timeline = timelines[t];
                // Synchronous row writes: a million awaited fields cost seconds for nothing.
                for (var i = 0; i < timeline.Count; i++)
                {
                    copy.StartRow();
                    copy.Write(tenantId, NpgsqlDbType.Uuid);
                    copy.Write(timeline.RecordingId, NpgsqlDbType.Uuid);
                    copy.Write(timeline.BundleId, NpgsqlDbType.Uuid);
                    copy.Write(jobs[t], NpgsqlDbType.Uuid);
                    copy.Write(i, NpgsqlDbType.Integer);
                    copy.Write(i * WindowSeconds, NpgsqlDbType.Double);
                    copy.Write((i + 1) * WindowSeconds, NpgsqlDbType.Double);
                    for (var c = 0; c < ScoreColumns.Count; c++)
                    {
                        if (c >= 6 && !timeline.WithAudio)
                        {
                            copy.WriteNull();
                        }
                        else
                        {
                            copy.Write(Value(timeline.Seed, i, c), NpgsqlDbType.Real);
                        }
                    }
                    copy.Write(timeline.WithAudio, NpgsqlDbType.Boolean);
                    copy.Write(true, NpgsqlDbType.Boolean);
                }
            }
            await copy.CompleteAsync();
        }
        var means = string.Join(", ", ScoreColumns.Select(c => $"avg({c})::real"));
        await using var command = new NpgsqlCommand($"""
            INSERT INTO recording_scores (tenant_id, recording_id, bundle_id, job_id, duration_seconds, window_count,
                                          {string.Join(", ", ScoreColumns)}, has_audio, has_video, scored_at)
            SELECT @tenant, recording_id, bundle_id, job_id, max(end_s), count(*), {means}, bool_or(has_audio), bool_or(has_video), now()
              FROM timeline_windows WHERE job_id = ANY(@jobs)
             GROUP BY recording_id, bundle_id, job_id
            """, connection);
        command.Parameters.AddWithValue("tenant", tenantId);
        command.Parameters.AddWithValue("jobs", jobs);
        await command.ExecuteNonQueryAsync();
    }

    private async Task ExecuteAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(api.Database.Owner);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }
        await command.ExecuteNonQueryAsync();
    }
}
