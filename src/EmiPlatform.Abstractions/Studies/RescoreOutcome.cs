namespace EmiPlatform.Abstractions.Studies;

/// <summary>
/// The jobs a re-score queued, and how many recordings were skipped because a job with that bundle was already
/// queued or running (for a single recording, <see cref="ActiveJobId"/> names that job).
/// </summary>
[GenerateSerializer, Immutable, Alias("emi.RescoreOutcome")]
public sealed record RescoreOutcome(
    [property: Id(0)] Guid[] QueuedJobIds,
    [property: Id(1)] int Skipped,
    [property: Id(2)] Guid? ActiveJobId,
    [property: Id(3)] bool RecordingFound);
