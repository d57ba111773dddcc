namespace EmiPlatform.Grains.Tenants;

/// <summary>
/// A tenant's status, quotas, usage and share, as its grain last read them. <see cref="ReservedStorageBytes"/> and
/// <see cref="OpenDirectUploads"/> are what its open direct uploads hold (each may still become a recording of its
/// reserved size), so uploads admitted side by side cannot together promise more than the quota.
/// </summary>
public sealed record TenantLimits(
    bool Suspended, long? MaxStorageBytes, int? MaxRecordings, long UsedStorageBytes, int UsedRecordings, int? MaxConcurrentJobs,
    long ReservedStorageBytes, int OpenDirectUploads)
{
    public bool WouldExceed(long bytes) =>
        (MaxStorageBytes is { } maxBytes && UsedStorageBytes + ReservedStorageBytes + bytes > maxBytes)
        || (MaxRecordings is { } maxCount && UsedRecordings + OpenDirectUploads + 1 > maxCount);
}
