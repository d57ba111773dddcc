namespace EmiPlatform.Contracts;

/// <summary>
/// A scoring job reached a final state (succeeded, failed or cancelled). Published only after that state is committed.
/// </summary>
public sealed record ScoringJobCompleted(
    Guid JobId,
    Guid TenantId,
    Guid StudyId,
    Guid RecordingId,
    Guid BundleId,
    string State,
    int Attempts,
    string? Error,
    DateTimeOffset FinishedAt);
