namespace EmiPlatform.Abstractions.Studies;

/// <summary>
/// One entry of a study's live stream, numbered in order (<see cref="Id"/>, the SSE event id). <see cref="Job"/> is
/// set for job transitions and progress; <see cref="Progress"/> is the run's counters after the event.
/// </summary>
[GenerateSerializer, Immutable, Alias("emi.StudyEvent")]
public sealed record StudyEvent(
    [property: Id(0)] long Id,
    [property: Id(1)] StudyEventKind Kind,
    [property: Id(2)] JobSnapshot? Job,
    [property: Id(3)] StudyProgress Progress);

public enum StudyEventKind
{
    /// <summary>A job changed state (queued, running, succeeded, failed, cancelled).</summary>
    Job,

    /// <summary>A running job's progress.</summary>
    Progress,

    /// <summary>The run ended: nothing of the study is queued or running.</summary>
    Completed,
}
