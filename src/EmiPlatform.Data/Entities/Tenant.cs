namespace EmiPlatform.Data.Entities;

public sealed class Tenant
{
    public Guid Id { get; set; }
    public required string Name { get; set; }
    public TenantStatus Status { get; set; } = TenantStatus.Active;

    /// <summary>Upper bound on stored recording bytes; null means unlimited.</summary>
    public long? MaxStorageBytes { get; set; }

    /// <summary>Upper bound on stored recordings; null means unlimited.</summary>
    public int? MaxRecordings { get; set; }

    /// <summary>Jobs released to scoring at once; null = the cluster's scoring slot count (the tenant grain's share).</summary>
    public int? MaxConcurrentJobs { get; set; }

    /// <summary>Bytes of stored recordings; kept by a database trigger, never written by the application.</summary>
    public long UsedStorageBytes { get; set; }

    /// <summary>Stored recordings; kept by the same trigger.</summary>
    public int UsedRecordings { get; set; }

    /// <summary>Upper bound on the feature cache's bytes (docs/model-bundle.md, "Feature cache"); null means unbounded.</summary>
    public long? MaxFeatureCacheBytes { get; set; }

    /// <summary>Bytes of cached backbone features (also counted in <see cref="UsedStorageBytes"/>); kept by a database trigger.</summary>
    public long UsedFeatureCacheBytes { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}
