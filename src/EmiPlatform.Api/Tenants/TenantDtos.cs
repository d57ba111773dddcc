using EmiPlatform.Api.Keys;
using System.ComponentModel.DataAnnotations;
using EmiPlatform.Api.Validation;
using EmiPlatform.Data;
using EmiPlatform.Data.Entities;

namespace EmiPlatform.Api.Tenants;

/// <summary><see cref="MaxConcurrentJobs"/>: the tenant's share of scoring slots; null = every slot the cluster has.</summary>
public sealed record TenantRequest(
    [Required, StringLength(Limits.NameLength), NoControlCharacters] string Name,
    [Range(0, long.MaxValue, ErrorMessage = "must be 0 or more")] long? MaxStorageBytes,
    [Range(0, int.MaxValue, ErrorMessage = "must be 0 or more")] int? MaxRecordings,
    [Range(1, Limits.MaxConcurrentJobs, ErrorMessage = "must be between {1} and {2}, or null for the cluster's scoring slots")] int? MaxConcurrentJobs = null,
    [Range(0, long.MaxValue, ErrorMessage = "must be 0 or more")] long? MaxFeatureCacheBytes = null);

/// <summary><see cref="UsedStorageBytes"/> includes the feature cache's <see cref="UsedFeatureCacheBytes"/>.</summary>
public sealed record TenantDto(Guid Id, string Name, TenantStatus Status, long? MaxStorageBytes, int? MaxRecordings, int? MaxConcurrentJobs,
    long UsedStorageBytes, int UsedRecordings, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, long? MaxFeatureCacheBytes = null, long UsedFeatureCacheBytes = 0)
{
    public static TenantDto From(Tenant t) =>
        new(t.Id, t.Name, t.Status, t.MaxStorageBytes, t.MaxRecordings, t.MaxConcurrentJobs, t.UsedStorageBytes, t.UsedRecordings, t.CreatedAt, t.UpdatedAt,
            t.MaxFeatureCacheBytes, t.UsedFeatureCacheBytes);
}

/// <summary>A new tenant and its first tenant-admin key; the key's secret is in this response only.</summary>
public sealed record TenantCreatedDto(TenantDto Tenant, CreatedApiKeyDto AdminKey);
