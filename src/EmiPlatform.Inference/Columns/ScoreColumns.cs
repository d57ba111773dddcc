namespace EmiPlatform.Inference.Columns;

/// <summary>
/// The platform's score columns, the one list the scoring writer, the result queries, the JSON and CSV writers and
/// `emi score` are built from. Adding a column means a line here and a migration adding it to timeline_windows and
/// recording_scores; exports keep their order, so new columns go at the end.
/// </summary>
public static class ScoreColumns
{
    public static readonly IReadOnlyList<ScoreColumn> All =
    [
        new("admiration", ScoreSource.Emotion),
        new("amusement", ScoreSource.Emotion),
        new("determination", ScoreSource.Emotion),
        new("empathic_pain", ScoreSource.Emotion),
        new("excitement", ScoreSource.Emotion),
        new("joy", ScoreSource.Emotion),
        new("valence", ScoreSource.Vad),
        new("arousal", ScoreSource.Vad),
        new("dominance", ScoreSource.Vad),
    ];

    public static readonly IReadOnlyList<string> Names = [.. All.Select(c => c.Name)];

    public static readonly IReadOnlyList<string> Emotions = [.. All.Where(c => c.Source == ScoreSource.Emotion).Select(c => c.Name)];

    public static int Count => All.Count;

    /// <summary>The column names joined for a SQL select or insert list, each with <paramref name="prefix"/> (a table alias and dot).</summary>
    public static string SqlList(string prefix = "") => string.Join(", ", Names.Select(n => prefix + n));

    /// <summary>
    /// Parses a comma-separated selection (repeats allowed) into indices of <see cref="All"/>, in column order; an
    /// empty or absent selection selects every column.
    /// </summary>
    public static bool TryParse(string? text, out int[] selected, out string? unknown)
    {
        unknown = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            selected = [.. Enumerable.Range(0, Count)];
            return true;
        }
        var chosen = new SortedSet<int>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var index = IndexOf(part.ToLowerInvariant());
            if (index < 0)
            {
                unknown = part;
                selected = [];
                return false;
            }
            chosen.Add(index);
        }
        selected = [.. chosen];
        return selected.Length > 0;
    }

    private static int IndexOf(string name)
    {
        for (var i = 0; i < Count; i++)
        {
            if (All[i].Name == name)
            {
                return i;
            }
        }
        return -1;
    }
}
