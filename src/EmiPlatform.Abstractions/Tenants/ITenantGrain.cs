namespace EmiPlatform.Abstractions.Tenants;

/// <summary>
/// One per tenant (key: the tenant id). Admits uploads against the tenant's status and quotas, and releases the
/// tenant's queued jobs to the scoring transport within its share of the cluster's scoring slots, round-robin
/// across its studies. Rebuilds everything from PostgreSQL on activation: it holds no state a silo's death loses.
/// </summary>
[Alias("emi.ITenantGrain")]
public interface ITenantGrain : IGrainWithGuidKey
{
    /// <summary>Whether an upload of about <paramref name="declaredBytes"/> (0 when unknown) may start now.</summary>
    [Alias("AdmitUpload")]
    Task<UploadAdmission> AdmitUploadAsync(long declaredBytes);

    /// <summary>Jobs were queued or slots were freed: release what the share allows now.</summary>
    [Alias("Schedule")]
    Task ScheduleAsync();

    /// <summary>The tenant's status, quotas or share changed: read them again.</summary>
    [Alias("Refresh")]
    Task RefreshAsync();

    [Alias("GetSchedule")]
    Task<TenantSchedule> GetScheduleAsync();
}
