using Npgsql;
using NpgsqlTypes;

namespace EmiPlatform.Api.Events;

/// <summary>
/// Raw SQL over recording_events on the request's connection (tenant set, so row-level security applies on top of the
/// statements' own tenant filters).
/// </summary>
public static class EventStore
{
    public static async Task<EventTarget?> RecordingAsync(NpgsqlConnection connection, Guid tenantId, Guid recordingId, CancellationToken ct) =>
        (await TargetsAsync(connection, tenantId, "r.id = @key", recordingId, ct)).SingleOrDefault();

    /// <summary>Every recording of the study, for a bulk import to find its rows' recordings among.</summary>
    public static Task<List<EventTarget>> StudyRecordingsAsync(NpgsqlConnection connection, Guid tenantId, Guid studyId, CancellationToken ct) =>
        TargetsAsync(connection, tenantId, "r.study_id = @key", studyId, ct);

    private static async Task<List<EventTarget>> TargetsAsync(NpgsqlConnection connection, Guid tenantId, string where, Guid key, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand($"""
            SELECT r.id, r.original_file_name, p.code, r.duration_seconds
              FROM recordings r JOIN participants p ON p.id = r.participant_id AND p.tenant_id = @tenant
             WHERE r.tenant_id = @tenant AND {where}
            """, connection);
        command.Parameters.AddWithValue("tenant", tenantId);
        command.Parameters.AddWithValue("key", key);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var list = new List<EventTarget>();
        while (await reader.ReadAsync(ct))
        {
            list.Add(new EventTarget(reader.GetGuid(0), reader.GetString(1), reader.GetString(2), reader.GetDouble(3)));
        }
        return list;
    }

    public static async Task<List<EventDto>> ListAsync(NpgsqlConnection connection, Guid tenantId, Guid recordingId, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("""
            SELECT event_index, onset_s, offset_s, kind, stimulus, trial, condition FROM recording_events
             WHERE tenant_id = @tenant AND recording_id = @recording ORDER BY event_index
            """, connection);
        command.Parameters.AddWithValue("tenant", tenantId);
        command.Parameters.AddWithValue("recording", recordingId);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var list = new List<EventDto>();
        while (await reader.ReadAsync(ct))
        {
            list.Add(new EventDto(reader.GetInt32(0), reader.GetDouble(1), reader.GetDouble(2), reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetString(4), reader.IsDBNull(5) ? null : reader.GetString(5),
                reader.IsDBNull(6) ? null : reader.GetString(6)));
        }
        return list;
    }

    /// <summary>
    /// Replaces each named recording's events with its new list, all in one transaction: every recording changes or
    /// none does. Concurrent replacements of one recording queue on a transaction-scoped advisory lock (taken in id
    /// order, so two imports cannot deadlock each other). The new rows are inserted before the old ones are deleted:
    /// the insert's foreign-key check takes the recording row's key-share lock first, so an erasure of the recording
    /// either waits for this transaction, or holds the recording before this one holds any event row (and the insert
    /// then fails on the missing recording: false). Deleting first would let the erasure's cascade wait on our
    /// deleted rows while our insert waited on its recording — a deadlock.
    /// </summary>
    /// <returns>False when a recording was erased meanwhile; nothing was changed.</returns>
    public static async Task<bool> ReplaceAsync(NpgsqlConnection connection, Guid tenantId, IReadOnlyDictionary<Guid, List<EventDto>> events, CancellationToken ct)
    {
        var ids = events.Keys.Order().ToArray();
        var rows = ids.SelectMany(id => events[id].Select(e => (Id: id, Event: e))).ToList();
        await using var transaction = await connection.BeginTransactionAsync(ct);
        foreach (var id in ids)
        {
            await using var lockCommand = new NpgsqlCommand("SELECT pg_advisory_xact_lock(hashtextextended('recording_events:' || @id::text, 0))", connection, transaction);
            lockCommand.Parameters.AddWithValue("id", id);
            await lockCommand.ExecuteNonQueryAsync(ct);
        }
        var set = Guid.CreateVersion7();
        try
        {
            await using (var insert = new NpgsqlCommand("""
                INSERT INTO recording_events (tenant_id, recording_id, set_id, event_index, onset_s, offset_s, kind, stimulus, trial, condition)
                SELECT @tenant, r, @set, i, onset, offset_, k, s, t, c
                  FROM unnest(@recordings, @indexes, @onsets, @offsets, @kinds, @stimuli, @trials, @conditions) AS x(r, i, onset, offset_, k, s, t, c)
                """, connection, transaction))
            {
                insert.Parameters.AddWithValue("tenant", tenantId);
                insert.Parameters.AddWithValue("set", set);
                insert.Parameters.AddWithValue("recordings", rows.Select(r => r.Id).ToArray());
                insert.Parameters.AddWithValue("indexes", rows.Select(r => r.Event.Index).ToArray());
                insert.Parameters.AddWithValue("onsets", rows.Select(r => r.Event.OnsetS).ToArray());
                insert.Parameters.AddWithValue("offsets", rows.Select(r => r.Event.OffsetS).ToArray());
                insert.Parameters.AddWithValue("kinds", rows.Select(r => r.Event.Kind).ToArray());
                insert.Parameters.Add(Texts("stimuli", rows.Select(r => r.Event.Stimulus)));
                insert.Parameters.Add(Texts("trials", rows.Select(r => r.Event.Trial)));
                insert.Parameters.Add(Texts("conditions", rows.Select(r => r.Event.Condition)));
                await insert.ExecuteNonQueryAsync(ct);
            }
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.ForeignKeyViolation)
        {
            await transaction.RollbackAsync(ct);
            return false;
        }
        await using (var delete = new NpgsqlCommand(
            "DELETE FROM recording_events WHERE tenant_id = @tenant AND recording_id = ANY(@recordings) AND set_id <> @set", connection, transaction))
        {
            delete.Parameters.AddWithValue("tenant", tenantId);
            delete.Parameters.AddWithValue("recordings", ids);
            delete.Parameters.AddWithValue("set", set);
            await delete.ExecuteNonQueryAsync(ct);
        }
        await transaction.CommitAsync(ct);
        return true;
    }

    private static NpgsqlParameter Texts(string name, IEnumerable<string?> values) =>
        new(name, NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = values.ToArray() };
}
