namespace EmiPlatform.Grains.Tenants;

/// <summary>A tenant's status, quotas, usage and share, as its grain last read them.</summary>
public sealed record TenantLimits(bool Suspended, long? MaxStorageBytes, int? MaxRecordings, long UsedStorageBytes, int UsedRecordings, int? MaxConcurrentJobs)
{
    public bool WouldExceed(long bytes) =>
        (MaxStorageBytes is { } maxBytes && UsedStorageBytes + bytes > maxBytes) || (MaxRecordings is { } maxCount && UsedRecordings + 1 > maxCount);
}
