namespace EmiPlatform.Api.Results;

/// <summary>
/// The score columns of timeline_windows and recording_scores, in the bundle contract's emotion order, then valence,
/// arousal, dominance. Names are the API's and the CSV's as well as the database's, so one list serves all three.
/// </summary>
public static class ScoreColumns
{
    public static readonly string[] Emotions = ["admiration", "amusement", "determination", "empathic_pain", "excitement", "joy"];

    public static readonly string[] Vad = ["valence", "arousal", "dominance"];

    /// <summary>Six emotions then VAD: the order every query selects them in.</summary>
    public static readonly string[] All = [.. Emotions, .. Vad];

    /// <summary>Parses a comma-separated list (repeats allowed) into indices of <see cref="All"/>; null when absent.</summary>
    public static bool TryParse(string? text, out int[] selected, out string? unknown)
    {
        unknown = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            selected = [.. Enumerable.Range(0, All.Length)];
            return true;
        }
        var chosen = new SortedSet<int>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var index = Array.IndexOf(All, part.ToLowerInvariant());
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
}
