using EmiPlatform.Abstractions.Jobs;

namespace EmiPlatform.Abstractions.Studies;

/// <summary>One job as a study's events show it, named as the lab knows it: its recording's original file name and participant code.</summary>
[GenerateSerializer, Immutable, Alias("emi.JobSnapshot")]
public sealed record JobSnapshot(
    [property: Id(0)] Guid JobId,
    [property: Id(1)] Guid RecordingId,
    [property: Id(2)] JobState State,
    [property: Id(3)] float Progress,
    [property: Id(4)] int Attempts,
    [property: Id(5)] string? Error,
    [property: Id(6)] string FileName,
    [property: Id(7)] string ParticipantCode);
