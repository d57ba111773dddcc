using EmiPlatform.Abstractions.Jobs;
using EmiPlatform.Data.Entities;

namespace EmiPlatform.Api.Jobs;

/// <summary>The bundle a job scores with: name and version are what every timeline row it writes records.</summary>
public sealed record JobBundleDto(Guid Id, string Name, string Version, bool Trained);

/// <summary>
/// A scoring job, named as the lab knows it: <see cref="FileName"/> is the recording's original file name and
/// <see cref="ParticipantCode"/> its participant's code.
/// </summary>
public sealed record JobDto(
    Guid Id, Guid StudyId, Guid RecordingId, string FileName, Guid ParticipantId, string ParticipantCode, JobBundleDto Bundle, string State, int Attempts, int MaxAttempts, float Progress,
    string? Worker, string? ExecutionProvider, string? Error, DateTimeOffset CreatedAt, DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt, DateTimeOffset UpdatedAt)
{
    public static JobDto From(ScoringJob j, RegisteredBundle b, Recording r, Participant p) => new(
        j.Id, j.StudyId, j.RecordingId, r.OriginalFileName, p.Id, p.Code, new JobBundleDto(b.Id, b.Name, b.Version, b.Trained),
        j.State.Name(), j.Attempts, j.MaxAttempts, j.Progress,
        j.Worker, j.ExecutionProvider, j.Error, j.CreatedAt, j.StartedAt, j.FinishedAt, j.UpdatedAt);
}

/// <summary>Re-score with a registered bundle; null means the platform's default bundle.</summary>
public sealed record RescoreRequest(Guid? BundleId);

/// <summary>What a study re-score queued: new jobs, and recordings skipped because that bundle already had a job in flight.</summary>
public sealed record RescoreStudyDto(Guid BundleId, int Queued, int AlreadyInFlight);
