namespace EmiPlatform.Contracts;

/// <summary>
/// Wakes a scoring worker for one job. Carries only the job's id: the scoring_jobs row is the source of truth, so a
/// stale or duplicated message is harmless (the worker's claim finds the job no longer queued and drops it).
/// </summary>
public sealed record ScoreRecording(Guid JobId);
