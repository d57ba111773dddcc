namespace EmiPlatform.Api.Timelines;

/// <summary>A recording_scores row's values; <see cref="Values"/> in <see cref="Results.ScoreColumns.All"/> order (float, bool or null).</summary>
/// <summary><see cref="Features"/>: <see cref="Results.FeatureColumns"/>' values (backbone hash, from the cache) per branch.</summary>
public sealed record RecordingAggregate(double DurationSeconds, int WindowCount, object?[] Values, object?[] Features);
