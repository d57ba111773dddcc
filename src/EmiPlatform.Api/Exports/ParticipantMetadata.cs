using System.Text;
using System.Text.Json;
using EmiPlatform.Csv;
using Npgsql;

namespace EmiPlatform.Api.Exports;

/// <summary>
/// The participants' free-form metadata of one study as export columns: one <c>meta_&lt;key&gt;</c> column per top-level
/// key any participant of the study has, in ordinal key order, after every fixed column (docs/results.md). A column is
/// typed <c>number</c> or <c>boolean</c> when every participant that has the key has such a value, else <c>string</c>;
/// strings are written as text (under the export's formula rule), numbers as JSON wrote them, booleans TRUE/FALSE,
/// objects and arrays as their JSON text, null or a missing key as an empty cell. Loaded once per export: O(participants).
/// </summary>
public sealed class ParticipantMetadata
{
    public const string Prefix = "meta_";

    private readonly Dictionary<Guid, JsonElement> byParticipant;

    private ParticipantMetadata(Dictionary<Guid, JsonElement> byParticipant, IReadOnlyList<string> keys)
    {
        this.byParticipant = byParticipant;
        Keys = keys;
        Columns = [.. keys.Select(k => new ExportColumn(Prefix + k, TypeOf(k), $"participant metadata '{k}', as the lab set it"))];
    }

    public IReadOnlyList<string> Keys { get; }

    public IReadOnlyList<ExportColumn> Columns { get; }

    public static async Task<ParticipantMetadata> LoadAsync(NpgsqlConnection connection, Guid tenantId, Guid studyId, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "SELECT id, metadata::text FROM participants WHERE tenant_id = @tenant AND study_id = @study AND jsonb_typeof(metadata) = 'object'", connection);
        command.Parameters.AddWithValue("tenant", tenantId);
        command.Parameters.AddWithValue("study", studyId);
        var byParticipant = new Dictionary<Guid, JsonElement>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            using var document = JsonDocument.Parse(reader.GetString(1));
            byParticipant[reader.GetGuid(0)] = document.RootElement.Clone();
        }
        var keys = byParticipant.Values.SelectMany(m => m.EnumerateObject().Select(p => p.Name)).Distinct().Order(StringComparer.Ordinal).ToList();
        return new ParticipantMetadata(byParticipant, keys);
    }

    /// <summary>The participant's metadata cells, encoded once (with <paramref name="csv"/>'s formula rule) for each of its rows.</summary>
    public byte[] Encode(CsvWriter csv, Guid participantId) => Keys.Count == 0 ? [] : csv.Encode(w => Write(w, participantId));

    /// <summary>Appends cells from <see cref="Encode"/> to the row; nothing when the study has no metadata keys.</summary>
    public void Append(CsvWriter csv, byte[] encoded)
    {
        if (Keys.Count > 0)
        {
            csv.EncodedCells(encoded);
        }
    }

    private void Write(CsvWriter csv, Guid participantId)
    {
        var metadata = byParticipant.TryGetValue(participantId, out var m) ? m : default;
        foreach (var key in Keys)
        {
            if (metadata.ValueKind != JsonValueKind.Object || !metadata.TryGetProperty(key, out var value))
            {
                csv.Text(null);
                continue;
            }
            switch (value.ValueKind)
            {
                case JsonValueKind.String:
                    csv.Text(value.GetString());
                    break;
                case JsonValueKind.Number:
                    // As the lab's JSON wrote it, never through a formula rule: "-1" is a number, not a formula.
                    csv.EncodedCells(Encoding.UTF8.GetBytes(value.GetRawText()));
                    break;
                case JsonValueKind.True or JsonValueKind.False:
                    csv.Boolean(value.GetBoolean());
                    break;
                case JsonValueKind.Null:
                    csv.Text(null);
                    break;
                default:
                    csv.Text(value.GetRawText());
                    break;
            }
        }
    }

    private string TypeOf(string key)
    {
        var kinds = byParticipant.Values
            .Select(m => m.TryGetProperty(key, out var v) ? v.ValueKind : JsonValueKind.Undefined)
            .Where(k => k is not (JsonValueKind.Undefined or JsonValueKind.Null))
            .Select(k => k is JsonValueKind.True ? JsonValueKind.False : k)
            .Distinct().ToList();
        return kinds switch
        {
            [JsonValueKind.Number] => "number",
            [JsonValueKind.False] => "boolean",
            _ => "string",
        };
    }
}
