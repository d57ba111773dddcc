using EmiPlatform.Data.Jobs;

namespace EmiPlatform.Scoring.Jobs;

/// <summary>What one delivery of a job message came to in this worker.</summary>
public enum JobOutcomeKind
{
    /// <summary>The job was not queued (done, cancelled, or another worker has it): a duplicate or stale message.</summary>
    NotClaimed,
    Succeeded,
    /// <summary>The attempt failed; the job is queued for a retry or, out of attempts, failed.</summary>
    AttemptFailed,
    /// <summary>The job was cancelled or its lease taken over while it ran: stopped, nothing written.</summary>
    Abandoned,
    /// <summary>The host is stopping: the job was given back to the queue.</summary>
    Released,
}

public sealed record JobOutcome(JobOutcomeKind Kind, FinishedJob? Finished = null, Contracts.RecordingScored? Scored = null)
{
    public static readonly JobOutcome NotClaimed = new(JobOutcomeKind.NotClaimed);
}
