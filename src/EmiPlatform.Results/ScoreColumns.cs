namespace EmiPlatform.Results;

/// <summary>
/// The platform's per-window value columns, the one list the scoring writer, the result queries, the JSON and CSV
/// writers and `emi score` are built from, in export order. Adding a column means a line at the end here (exports only
/// ever gain columns at the end) and a migration adding it to timeline_windows and recording_scores.
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
        new("has_audio", ScoreSource.HasAudio),
        new("has_video", ScoreSource.HasVideo),
        new("face_coverage", ScoreSource.FaceCoverage),
        new("speech_coverage", ScoreSource.SpeechCoverage),
        new("face_confidence", ScoreSource.FaceConfidence),
        new("au01_inner_brow_raise", ScoreSource.Descriptor),
        new("au02_outer_brow_raise", ScoreSource.Descriptor),
        new("au04_brow_lower", ScoreSource.Descriptor),
        new("au43_eye_closure", ScoreSource.Descriptor),
        new("au12_lip_corner_pull", ScoreSource.Descriptor),
        new("au15_lip_corner_depress", ScoreSource.Descriptor),
        new("au25_lips_part", ScoreSource.Descriptor),
        new("au26_jaw_drop", ScoreSource.Descriptor),
        new("head_yaw_deg", ScoreSource.Descriptor),
        new("head_pitch_deg", ScoreSource.Descriptor),
        new("head_roll_deg", ScoreSource.Descriptor),
        new("expr_angry", ScoreSource.Expression),
        new("expr_disgust", ScoreSource.Expression),
        new("expr_fear", ScoreSource.Expression),
        new("expr_happy", ScoreSource.Expression),
        new("expr_sad", ScoreSource.Expression),
        new("expr_surprise", ScoreSource.Expression),
        new("expr_neutral", ScoreSource.Expression),
    ];

    public static readonly IReadOnlyList<string> Names = [.. All.Select(c => c.Name)];

    public static readonly IReadOnlyList<string> Emotions = [.. All.Where(c => c.Source == ScoreSource.Emotion).Select(c => c.Name)];

    /// <summary>The names the <c>emotions</c> selection accepts: the emotions and VAD, as the JSON names them.</summary>
    public static readonly IReadOnlyList<string> Selectable = [.. All.Where(c => c.IsSelectable).Select(c => c.JsonName)];

    public static int Count => All.Count;

    /// <summary>The column names joined for a SQL select or insert list, each with <paramref name="prefix"/> (a table alias and dot).</summary>
    public static string SqlList(string prefix = "") => string.Join(", ", Names.Select(n => prefix + n));

    /// <summary>
    /// Parses a comma-separated selection of <see cref="Selectable"/> names (repeats allowed, each spelt any way
    /// <see cref="ScoreColumn.JsonNameOf"/> maps onto the JSON name) into indices of <see cref="All"/>, in column order;
    /// an empty or absent selection selects every selectable column.
    /// </summary>
    public static bool TryParse(string? text, out int[] selected, out string? unknown)
    {
        unknown = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            selected = [.. Enumerable.Range(0, Count).Where(i => All[i].IsSelectable)];
            return true;
        }
        var chosen = new SortedSet<int>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var index = IndexOf(ScoreColumn.JsonNameOf(part));
            if (index < 0 || !All[index].IsSelectable)
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

    private static int IndexOf(string jsonName)
    {
        for (var i = 0; i < Count; i++)
        {
            if (All[i].JsonName == jsonName)
            {
                return i;
            }
        }
        return -1;
    }
}
