using EmiPlatform.Abstractions.Jobs;
using EmiPlatform.Data.Tenancy;

namespace EmiPlatform.Data.Entities;

/// <summary>
/// Scoring one recording with one bundle. The row is the source of truth: messages only wake workers, and a worker
/// owns a running job only while its lease (renewed by heartbeats) has not expired.
/// </summary>
public sealed class ScoringJob : ITenantOwned
{
    public Guid Id { get; set; }
    public Guid TenantId { get; set; }
    public Guid StudyId { get; set; }
    public Guid RecordingId { get; set; }
    public Guid BundleId { get; set; }

    /// <summary>The study's scoring run the job belongs to (null for jobs from before runs were kept).</summary>
    public Guid? RunId { get; set; }
    public JobState State { get; set; }
    public int Attempts { get; set; }
    public int MaxAttempts { get; set; } = 3;

    /// <summary>Fraction of the recording scored, 0..1.</summary>
    public float Progress { get; set; }

    /// <summary>The worker that holds (or last held) the job.</summary>
    public string? Worker { get; set; }

    public string? ExecutionProvider { get; set; }

    /// <summary>Running: when the worker's lease ends unless renewed. Queued: when the dispatcher may publish it (again).</summary>
    public DateTimeOffset? LeaseExpiresAt { get; set; }

    public string? Error { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}
