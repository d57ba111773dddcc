namespace EmiPlatform.Inference.Columns;

/// <summary>
/// One value column of a timeline window and of a recording's aggregate. <see cref="Name"/> is the column's name in
/// PostgreSQL (timeline_windows, recording_scores), in the API's JSON and in every CSV export.
/// </summary>
public sealed record ScoreColumn(string Name, ScoreSource Source);
