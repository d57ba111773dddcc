using EmiPlatform.Contracts;

namespace EmiPlatform.Data.Jobs;

/// <summary>A job row as it reached a final state (or went back to the queue), for its events.</summary>
public sealed record FinishedJob(
    Guid Id, Guid TenantId, Guid StudyId, Guid RecordingId, Guid BundleId, string State, int Attempts, string? Error, DateTimeOffset FinishedAt)
{
    public ScoringJobCompleted ToEvent() => new(Id, TenantId, StudyId, RecordingId, BundleId, State, Attempts, Error, FinishedAt);
}
