using EmiPlatform.Contracts;

namespace EmiPlatform.Scoring.Jobs;

/// <summary>A job row as it reached a final state, for its completion event.</summary>
public sealed record FinishedJob(
    Guid Id, Guid TenantId, Guid StudyId, Guid RecordingId, Guid BundleId, string State, int Attempts, string? Error, DateTimeOffset FinishedAt)
{
    public ScoringJobCompleted ToEvent() => new(Id, TenantId, StudyId, RecordingId, BundleId, State, Attempts, Error, FinishedAt);
}
