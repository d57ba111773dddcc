using EmiPlatform.Data.Entities;

namespace EmiPlatform.Api.Scoring;

/// <summary>New job rows: queued, no lease (the dispatcher publishes them on its next round, or at once when woken).</summary>
public static class ScoringJobs
{
    public static ScoringJob Queued(Recording recording, Guid bundleId, int maxAttempts, DateTimeOffset now) => new()
    {
        Id = Guid.CreateVersion7(now),
        TenantId = recording.TenantId,
        StudyId = recording.StudyId,
        RecordingId = recording.Id,
        BundleId = bundleId,
        State = JobState.Queued,
        MaxAttempts = maxAttempts,
        CreatedAt = now,
        UpdatedAt = now,
    };
}
