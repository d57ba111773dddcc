namespace EmiPlatform.Results;

/// <summary>
/// One value column of a timeline window and of a recording's aggregate. <see cref="Name"/> is the column's name in
/// PostgreSQL (timeline_windows, recording_scores), in the API's JSON and in every CSV export.
/// </summary>
public sealed record ScoreColumn(string Name, ScoreSource Source)
{
    /// <summary>A boolean column (never null); the others are real numbers, null where the value does not exist.</summary>
    public bool IsFlag => Source is ScoreSource.HasAudio or ScoreSource.HasVideo;

    /// <summary>A score the timeline endpoints' <c>emotions</c> selection chooses among; the others are always returned.</summary>
    public bool IsSelectable => Source is ScoreSource.Emotion or ScoreSource.Vad;
}
