namespace EmiPlatform.Api.Results;

/// <summary>A recording_scores row's values; <see cref="Scores"/> in <see cref="Inference.Columns.ScoreColumns.All"/> order.</summary>
public sealed record RecordingAggregate(double DurationSeconds, int WindowCount, float?[] Scores, bool HasAudio, bool HasVideo);
