namespace EmiPlatform.Api.Timelines;

/// <summary>
/// What became of a recording's scoring, for the export's <c>recordings</c> format: <see cref="Status"/> is
/// <see cref="Scored"/> when it has a result (from the chosen bundle), else its latest job's state (queued, running,
/// failed, cancelled; <see cref="Error"/> is that job's error), else <see cref="NotScored"/>. The recording's bundle is
/// the result's, else the latest job's, else none.
/// </summary>
public sealed record RecordingStatus(ScoredRecording Recording, string Status, string? Error, int WindowCount)
{
    public const string Scored = "scored";
    public const string NotScored = "not-scored";
}
