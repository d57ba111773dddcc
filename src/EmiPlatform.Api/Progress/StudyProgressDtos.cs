using EmiPlatform.Abstractions.Jobs;
using EmiPlatform.Abstractions.Studies;

namespace EmiPlatform.Api.Progress;

/// <summary>The counters of a study's current (or last) scoring run; <see cref="EtaSeconds"/> is null until something was scored.</summary>
public sealed record StudyProgressDto(
    Guid? RunId, int Queued, int Running, int Succeeded, int Failed, int Cancelled, int Total,
    double RecordingSecondsDone, double RecordingSecondsTotal, double? EtaSeconds, DateTimeOffset? StartedAt, DateTimeOffset? CompletedAt)
{
    public static StudyProgressDto From(StudyProgress p) => new(
        p.RunId, p.Queued, p.Running, p.Succeeded, p.Failed, p.Cancelled, p.Total,
        Math.Round(p.RecordingSecondsDone, 3), Math.Round(p.RecordingSecondsTotal, 3), p.EtaSeconds is { } eta ? Math.Round(eta, 1) : null,
        p.StartedAt, p.CompletedAt);
}

/// <summary>A job in a study's events, named by its recording's original file name and its participant's code.</summary>
public sealed record StudyJobEventDto(Guid Id, Guid RecordingId, string FileName, string ParticipantCode, string State, float Progress, int Attempts, string? Error)
{
    public static StudyJobEventDto From(JobSnapshot j) => new(j.JobId, j.RecordingId, j.FileName, j.ParticipantCode, j.State.Name(), j.Progress, j.Attempts, j.Error);
}

/// <summary>
/// One Server-Sent Event of <c>GET /v1/studies/{id}/events</c>. <c>snapshot</c> carries every job of the run;
/// <c>job</c> and <c>progress</c> carry the job that changed; every event carries the run's counters after it.
/// </summary>
public sealed record StudyEventDto(string Type, StudyProgressDto Progress, StudyJobEventDto? Job, IReadOnlyList<StudyJobEventDto>? Jobs);
