namespace EmiPlatform.Results;

/// <summary>
/// The columns stimulus events add to results (docs/results.md), one list for the SQL, the JSON and the CSV writers:
/// what each window says of its event, and the per-event export's columns after the recording's identifiers.
/// </summary>
public static class EventColumns
{
    /// <summary>The event kind whose windows baseline-correct the events after it.</summary>
    public const string BaselineKind = "baseline";

    /// <summary>Appended to each window (long CSV, timeline JSON): its event's position, kind and labels, and its centre's time from the event's onset.</summary>
    public static readonly IReadOnlyList<string> Window = ["event", "event_kind", "event_stimulus", "event_trial", "event_condition", "t_rel_s"];

    /// <summary>The measures summarised per event: the EMI emotions, VAD and the perception columns that are means of a window's faces.</summary>
    public static readonly IReadOnlyList<ScoreColumn> Measures =
        [.. ScoreColumns.All.Where(c => c.Source is ScoreSource.Emotion or ScoreSource.Vad or ScoreSource.FaceConfidence or ScoreSource.Descriptor or ScoreSource.Expression)];

    /// <summary>What is reported of each measure, as suffixes of its name: mean, peak, time to peak, baseline-corrected mean.</summary>
    public static readonly IReadOnlyList<string> Statistics = ["_mean", "_peak", "_ttp_s", "_mean_bc"];

    /// <summary>The per-event row after the recording's identifiers: the event, then coverage, then each measure's statistics.</summary>
    public static readonly IReadOnlyList<string> Result =
    [
        "event", "event_kind", "event_stimulus", "event_trial", "event_condition", "onset_s", "offset_s", "baseline_event",
        "window_count", "face_coverage", "speech_coverage",
        .. Measures.SelectMany(m => Statistics.Select(s => m.Name + s)),
    ];
}
