using EmiPlatform.Data.Tenancy;

namespace EmiPlatform.Data.Entities;

/// <summary>
/// One scoring run of a study: from a job queued while none was queued or running, to none being left. Completed
/// once, by the study grain, in the transaction that enqueues its study.completed webhook deliveries.
/// </summary>
public sealed class StudyRun : ITenantOwned
{
    public Guid Id { get; set; }
    public Guid TenantId { get; set; }
    public Guid StudyId { get; set; }
    public DateTimeOffset StartedAt { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }
}
