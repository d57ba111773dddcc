using System.Globalization;
using EmiPlatform.Csv;

namespace EmiPlatform.Api.Events;

/// <summary>
/// Reads an events CSV (docs/results.md, "Events"): a header naming the columns, in any order and any case; columns it
/// does not know are ignored, so an experiment log can be sent as exported. A cell that is not a number where one is
/// expected is an error of its row; reading stops at the first row over <see cref="EventLimits.MaxRows"/>.
/// </summary>
public static class EventRows
{
    private static readonly Dictionary<string, string> Aliases = new(StringComparer.OrdinalIgnoreCase)
    {
        ["recording_id"] = "recording_id", ["recording"] = "recording", ["file_name"] = "recording", ["participant"] = "participant",
        ["onset_s"] = "onset_s", ["onset"] = "onset_s", ["offset_s"] = "offset_s", ["offset"] = "offset_s",
        ["duration_s"] = "duration_s", ["duration"] = "duration_s",
        ["kind"] = "kind", ["stimulus"] = "stimulus", ["trial"] = "trial", ["condition"] = "condition",
    };

    /// <summary>
    /// The candidates and the row errors found while reading. <paramref name="keyed"/>: a study's import, whose rows
    /// must name their recording by <c>recording_id</c> or <c>recording</c> (the original file name).
    /// </summary>
    public static EventRowsRead Read(string text, bool keyed)
    {
        var reader = new CsvReader(new StringReader(text), EventLimits.MaxFieldLength);
        var rows = new List<EventCandidate>();
        var errors = new List<EventRowError>();
        try
        {
            var header = reader.Read();
            if (header is null)
            {
                return EventRowsRead.Refused("The CSV is empty: it needs a header row (onset_s, offset_s or duration_s, …).");
            }
            var at = new Dictionary<string, int>();
            for (var i = 0; i < header.Length; i++)
            {
                if (Aliases.TryGetValue(header[i].Trim(), out var name) && !at.TryAdd(name, i))
                {
                    return EventRowsRead.Refused($"The header names '{name}' twice.");
                }
            }
            if (!at.ContainsKey("onset_s") || !(at.ContainsKey("offset_s") || at.ContainsKey("duration_s")))
            {
                return EventRowsRead.Refused("The header must name onset_s and offset_s (or duration_s).");
            }
            if (keyed && !at.ContainsKey("recording_id") && !at.ContainsKey("recording"))
            {
                return EventRowsRead.Refused("The header must name recording_id or recording (the recording's original file name).");
            }
            while (reader.Read() is { } cells)
            {
                if (cells is [""])
                {
                    continue; // a blank line, as spreadsheets leave at the end
                }
                if (rows.Count + errors.Count >= EventLimits.MaxRows)
                {
                    return EventRowsRead.Refused($"More than {EventLimits.MaxRows} rows: split the file (each recording's events must be in one request).", tooMany: true);
                }
                var row = reader.Record;
                string? Cell(string name) => at.TryGetValue(name, out var i) && i < cells.Length && cells[i].Trim() is { Length: > 0 } v ? v : null;
                var rowErrors = new List<string>();
                double? Number(string name)
                {
                    if (Cell(name) is not { } value)
                    {
                        return null;
                    }
                    if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && double.IsFinite(n))
                    {
                        return n;
                    }
                    rowErrors.Add($"{name} '{Shorten(value)}' is not a number (seconds, '.' as the decimal separator)");
                    return null;
                }
                var input = new EventInput(Number("onset_s"), Number("offset_s"), Number("duration_s"), Cell("kind"), Cell("stimulus"), Cell("trial"), Cell("condition"));
                Guid? recordingId = null;
                if (Cell("recording_id") is { } id)
                {
                    if (Guid.TryParse(id, out var g))
                    {
                        recordingId = g;
                    }
                    else
                    {
                        rowErrors.Add($"recording_id '{Shorten(id)}' is not an id");
                    }
                }
                var candidate = new EventCandidate(row, recordingId, Cell("recording"), Cell("participant"), input);
                if (keyed && recordingId is null && candidate.FileName is null && rowErrors.Count == 0)
                {
                    rowErrors.Add("names no recording (recording_id or recording is empty)");
                }
                if (rowErrors.Count > 0)
                {
                    errors.Add(new EventRowError(row, candidate.Names, string.Join("; ", rowErrors)));
                }
                else
                {
                    rows.Add(candidate);
                }
            }
        }
        catch (FormatException e)
        {
            return EventRowsRead.Refused($"The CSV is not valid RFC 4180: {e.Message}.");
        }
        return new EventRowsRead(rows, errors, null, false);
    }

    /// <summary>A cell quoted back in a message, cut short so a refusal stays small whatever was sent.</summary>
    public static string Shorten(string value) => value.Length <= 40 ? value : value[..40] + "…";
}
