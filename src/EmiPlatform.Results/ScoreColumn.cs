using System.Text.Json;

namespace EmiPlatform.Results;

/// <summary>
/// One value column of a timeline window and of a recording's aggregate. <see cref="Name"/> is the column's name in
/// PostgreSQL (timeline_windows, recording_scores), in the API's JSON and in every CSV export.
/// </summary>
public sealed record ScoreColumn(string Name, ScoreSource Source)
{
    /// <summary>The column's property in the API's JSON (and its entry in a timeline's <c>scores</c>).</summary>
    public string JsonName { get; } = JsonNameOf(Name);

    /// <summary>
    /// The one rule from a score's name to its JSON name, applied to the columns for the JSON writer and to the names a
    /// client selects with, so the two cannot drift: snake_case in lower case, like the CSV header, which makes
    /// <c>empathicPain</c>, <c>EmpathicPain</c> and <c>empathic_pain</c> all <c>empathic_pain</c>.
    /// </summary>
    public static string JsonNameOf(string name) => JsonNamingPolicy.SnakeCaseLower.ConvertName(name);

    /// <summary>A boolean column (never null); the others are real numbers, null where the value does not exist.</summary>
    public bool IsFlag => Source is ScoreSource.HasAudio or ScoreSource.HasVideo;

    /// <summary>A score the timeline endpoints' <c>emotions</c> selection chooses among; the others are always returned.</summary>
    public bool IsSelectable => Source is ScoreSource.Emotion or ScoreSource.Vad;
}
