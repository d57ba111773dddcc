using System.Text.RegularExpressions;
using EmiPlatform.Api.Validation;
using EmiPlatform.Data;

namespace EmiPlatform.Api.Events;

/// <summary>
/// The rules one recording's events must meet (docs/results.md): each within [0, the recording's duration], offset
/// after onset, no two overlapping (touching is fine), a kind that is one word, labels within the name length and
/// free of hidden characters. Every offending row is reported, not just the first.
/// </summary>
public static partial class EventValidator
{
    /// <summary>The recording's events sorted by onset and numbered, or null with <paramref name="errors"/> added to.</summary>
    public static List<EventDto>? Validate(IReadOnlyList<EventCandidate> rows, double durationS, List<EventRowError> errors)
    {
        var before = errors.Count;
        if (rows.Count > EventLimits.MaxPerRecording)
        {
            errors.Add(new EventRowError(rows[EventLimits.MaxPerRecording].Row, rows[0].Names,
                $"more than {EventLimits.MaxPerRecording} events for one recording"));
            return null;
        }
        var valid = new List<(EventCandidate Row, double On, double Off, string Kind)>();
        foreach (var row in rows)
        {
            var problems = new List<string>();
            var e = row.Input;
            var on = e.OnsetS;
            var off = e.OffsetS ?? (on + e.DurationS);
            if (on is null)
            {
                problems.Add("onset_s is missing");
            }
            else if (off is null)
            {
                problems.Add("offset_s (or duration_s) is missing");
            }
            else
            {
                if (e.OffsetS is { } o && e.DurationS is { } d && Math.Abs(on.Value + d - o) > 1e-6)
                {
                    problems.Add($"offset_s {o} is not onset_s + duration_s ({on.Value + d})");
                }
                if (on < 0)
                {
                    problems.Add($"onset_s {on} is before the recording's start");
                }
                if (off <= on)
                {
                    problems.Add($"offset_s {off} is not after onset_s {on}");
                }
                if (off > durationS)
                {
                    problems.Add($"offset_s {off} is past the recording's end ({durationS} s)");
                }
            }
            var kind = string.IsNullOrWhiteSpace(e.Kind) ? "stimulus" : e.Kind.Trim().ToLowerInvariant();
            if (kind.Length > EventLimits.KindLength || !KindPattern().IsMatch(kind))
            {
                problems.Add($"kind '{EventRows.Shorten(kind)}' must be one word of letters, digits, '_' or '-' (at most {EventLimits.KindLength}), starting with a letter");
            }
            foreach (var (name, label) in new[] { ("stimulus", e.Stimulus), ("trial", e.Trial), ("condition", e.Condition) })
            {
                if (label is null)
                {
                    continue;
                }
                if (label.Length > Limits.NameLength)
                {
                    problems.Add($"{name} is longer than {Limits.NameLength} characters");
                }
                else if (!new NoControlCharactersAttribute().IsValid(label))
                {
                    problems.Add($"{name} contains control, formatting or invisible characters");
                }
            }
            if (problems.Count > 0)
            {
                errors.Add(new EventRowError(row.Row, row.Names, string.Join("; ", problems)));
            }
            else
            {
                valid.Add((row, on!.Value, off!.Value, kind));
            }
        }
        var sorted = valid.OrderBy(v => v.On).ThenBy(v => v.Row.Row).ToList();
        for (var i = 1; i < sorted.Count; i++)
        {
            var (previous, current) = (sorted[i - 1], sorted[i]);
            if (current.On < previous.Off)
            {
                errors.Add(new EventRowError(current.Row.Row, current.Row.Names,
                    $"overlaps row {previous.Row.Row} ({previous.On}–{previous.Off} s): events of a recording may touch but not overlap"));
            }
        }
        if (errors.Count > before)
        {
            return null;
        }
        return [.. sorted.Select((v, i) => new EventDto(i, v.On, v.Off, v.Kind, Label(v.Row.Input.Stimulus), Label(v.Row.Input.Trial), Label(v.Row.Input.Condition)))];
    }

    private static string? Label(string? text) => string.IsNullOrWhiteSpace(text) ? null : text;

    [GeneratedRegex("^[a-z][a-z0-9_-]*$")]
    private static partial Regex KindPattern();
}
