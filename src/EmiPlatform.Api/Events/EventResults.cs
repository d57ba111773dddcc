using EmiPlatform.Api.Timelines;
using EmiPlatform.Results;
using Npgsql;

namespace EmiPlatform.Api.Events;

/// <summary>
/// Per-event results (docs/results.md, "Per-event results"), computed when read from the stored windows and events:
/// one row per event of each scored recording. A window belongs to the event whose [onset, offset) holds its centre.
/// </summary>
public static class EventResults
{
    private static readonly string Sql = BuildSql();

    /// <summary>
    /// Column 0 is the recording's 1-based position in <paramref name="recordings"/>; from 1 the values of
    /// <see cref="EventColumns.Result"/>, in order. Rows come by recording position, then by event.
    /// </summary>
    public static async Task<NpgsqlDataReader> ReadAsync(NpgsqlConnection connection, Guid tenantId, IReadOnlyList<ScoredRecording> recordings, CancellationToken ct)
    {
        var command = new NpgsqlCommand(Sql, connection);
        command.Parameters.AddWithValue("tenant", tenantId);
        command.Parameters.AddWithValue("baseline", EventColumns.BaselineKind);
        command.Parameters.AddWithValue("recordings", recordings.Select(r => r.RecordingId).ToArray());
        command.Parameters.AddWithValue("bundles", recordings.Select(r => r.Bundle!.Id).ToArray());
        return await command.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess, ct);
    }

    /// <summary>The values of <see cref="EventColumns.Result"/> of the current row: int, double, float or string, null where empty.</summary>
    public static object?[] ReadRow(NpgsqlDataReader reader)
    {
        var values = new object?[EventColumns.Result.Count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = reader.IsDBNull(i + 1) ? null : reader.GetValue(i + 1);
        }
        return values;
    }

    private static string BuildSql()
    {
        var centre = "(w.start_s + w.end_s) / 2";
        var stats = string.Join(",\n", EventColumns.Measures.Select(m =>
            $"avg(w.{m.Name}) AS {m.Name}_mean, max(w.{m.Name}) AS {m.Name}_peak, " +
            $"(array_agg({centre} - ev.onset_s ORDER BY w.{m.Name} DESC, w.window_index) FILTER (WHERE w.{m.Name} IS NOT NULL))[1] AS {m.Name}_ttp"));
        var columns = string.Join(",\n", EventColumns.Measures.Select(m =>
            $"st.{m.Name}_mean, st.{m.Name}_peak, st.{m.Name}_ttp, st.{m.Name}_mean - bs.{m.Name}_mean"));
        return $"""
            WITH c AS (SELECT * FROM unnest(@recordings, @bundles) WITH ORDINALITY AS c(recording_id, bundle_id, ord)),
            ev AS (SELECT c.ord, c.bundle_id, e.recording_id, e.event_index, e.onset_s, e.offset_s, e.kind, e.stimulus, e.trial, e.condition
                     FROM c JOIN recording_events e ON e.tenant_id = @tenant AND e.recording_id = c.recording_id),
            st AS (SELECT ev.recording_id, ev.event_index, count(w.window_index)::integer AS window_count,
                          avg(w.face_coverage) AS face_coverage, avg(w.speech_coverage) AS speech_coverage,
                          {stats}
                     FROM ev
                     LEFT JOIN timeline_windows w ON w.tenant_id = @tenant AND w.recording_id = ev.recording_id AND w.bundle_id = ev.bundle_id
                          AND {centre} >= ev.onset_s AND {centre} < ev.offset_s
                    GROUP BY ev.recording_id, ev.event_index)
            SELECT ev.ord, ev.event_index, ev.kind, ev.stimulus, ev.trial, ev.condition, ev.onset_s, ev.offset_s, b.event_index,
                   st.window_count, st.face_coverage, st.speech_coverage,
                   {columns}
              FROM ev
              JOIN st ON st.recording_id = ev.recording_id AND st.event_index = ev.event_index
              LEFT JOIN LATERAL (
                    SELECT p.event_index FROM ev p
                     WHERE p.recording_id = ev.recording_id AND p.kind = @baseline AND ev.kind <> @baseline AND p.offset_s <= ev.onset_s
                     ORDER BY p.onset_s DESC LIMIT 1) b ON true
              LEFT JOIN st bs ON bs.recording_id = ev.recording_id AND bs.event_index = b.event_index
             ORDER BY ev.ord, ev.event_index
            """;
    }
}
