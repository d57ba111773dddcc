namespace EmiPlatform.Results;

/// <summary>
/// Where a score's backbone features came from, per branch: the backbone's SHA-256 and whether the feature cache
/// supplied them (a heads-only score) — the one definition the scoring writer, the result queries and the exports use.
/// NULL (empty in CSV) for a branch the score did not use.
/// </summary>
public static class FeatureColumns
{
    public static readonly IReadOnlyList<string> Names = ["audio_backbone_sha256", "audio_features_cached", "visual_backbone_sha256", "visual_features_cached"];

    public static int Count => Names.Count;

    public static string SqlList => string.Join(", ", Names);

    /// <summary>The column names for a select list, each with <paramref name="prefix"/> (a table alias and dot).</summary>
    public static string SqlListOf(string prefix) => string.Join(", ", Names.Select(n => prefix + n));

    /// <summary>Whether the column at <paramref name="index"/> is a backbone hash (text) rather than a cached flag (boolean).</summary>
    public static bool IsHash(int index) => index % 2 == 0;

    /// <summary>The columns' values in <see cref="Names"/> order from the branches scored.</summary>
    public static object?[] Values(IEnumerable<(string Branch, string BackboneSha256, bool FromCache)> branches)
    {
        var values = new object?[Count];
        foreach (var (branch, sha256, cached) in branches)
        {
            var at = branch == "audio" ? 0 : 2;
            values[at] = sha256;
            values[at + 1] = cached;
        }

        return values;
    }
}
