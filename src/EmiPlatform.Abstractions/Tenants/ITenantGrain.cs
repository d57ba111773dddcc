namespace EmiPlatform.Abstractions.Tenants;

/// <summary>
/// One per tenant (key: the tenant id). Admits uploads against the tenant's status and quotas, holds its
/// concurrent-upload slots (one grain per tenant, so the limit holds across every API host), and releases the
/// tenant's queued jobs to the scoring transport within its share of the cluster's scoring slots, round-robin
/// across its studies. Rebuilds everything from PostgreSQL on activation; the only state a silo's death loses is the
/// upload slots, which their holders renew (and so re-take) within seconds.
/// </summary>
[Alias("emi.ITenantGrain")]
public interface ITenantGrain : IGrainWithGuidKey
{
    /// <summary>
    /// Whether an upload of about <paramref name="declaredBytes"/> (0 when unknown) may start now: the tenant's stored bytes,
    /// the reservations of its open direct uploads and this upload together within its quotas.
    /// </summary>
    [Alias("AdmitUpload")]
    Task<UploadAdmission> AdmitUploadAsync(long declaredBytes);

    /// <summary>
    /// Takes one of the tenant's concurrent-upload slots for <paramref name="uploadId"/>, unless all are held or this
    /// upload holds one already (one request at a time per upload, across every API host). A slot lapses unless
    /// <see cref="KeepUploadSlotAsync"/> renews it, so an API host that dies mid-upload frees its slots.
    /// </summary>
    [Alias("TakeUploadSlotGrant")]
    Task<UploadSlotGrant> TakeUploadSlotAsync(Guid uploadId);

    /// <summary><see cref="TakeUploadSlotAsync"/>, true only when it took the slot now.</summary>
    [Alias("TakeUploadSlot")]
    Task<bool> TryTakeUploadSlotAsync(Guid uploadId);

    /// <summary>Renews the upload's slot; re-takes it (even over the limit: the upload is under way) on a fresh activation.</summary>
    [Alias("KeepUploadSlot")]
    Task KeepUploadSlotAsync(Guid uploadId);

    [Alias("ReleaseUploadSlot")]
    Task ReleaseUploadSlotAsync(Guid uploadId);

    /// <summary>Upload slots held now.</summary>
    [Alias("UploadsInProgress")]
    Task<int> UploadsInProgressAsync();

    /// <summary>Jobs were queued or slots were freed: release what the share allows now.</summary>
    [Alias("Schedule")]
    Task ScheduleAsync();

    /// <summary>The tenant's status, quotas or share changed: read them again.</summary>
    [Alias("Refresh")]
    Task RefreshAsync();

    /// <summary>
    /// Erases the tenant: releases nothing more, has each study's grain erase its study, then deletes the tenant's row
    /// (keys, webhooks and deliveries cascade) and deactivates. False when there is no such tenant. The caller erases
    /// the blobs afterwards.
    /// </summary>
    [Alias("Erase")]
    Task<bool> EraseAsync();

    [Alias("GetSchedule")]
    Task<TenantSchedule> GetScheduleAsync();
}
