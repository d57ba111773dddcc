namespace EmiPlatform.Abstractions.Studies;

/// <summary>
/// The counters of the study's current scoring run (or its last one, once finished). A run starts when a job is
/// queued while none is queued or running, and ends when none is left. The ETA extrapolates the run's
/// recording-seconds scored per wall-clock second; null until something was scored.
/// </summary>
[GenerateSerializer, Immutable, Alias("emi.StudyProgress")]
public sealed record StudyProgress(
    [property: Id(0)] Guid? RunId,
    [property: Id(1)] int Queued,
    [property: Id(2)] int Running,
    [property: Id(3)] int Succeeded,
    [property: Id(4)] int Failed,
    [property: Id(5)] int Cancelled,
    [property: Id(6)] double RecordingSecondsDone,
    [property: Id(7)] double RecordingSecondsTotal,
    [property: Id(8)] double? EtaSeconds,
    [property: Id(9)] DateTimeOffset? StartedAt,
    [property: Id(10)] DateTimeOffset? CompletedAt)
{
    public static readonly StudyProgress None = new(null, 0, 0, 0, 0, 0, 0, 0, null, null, null);

    public int Total => Queued + Running + Succeeded + Failed + Cancelled;
}
