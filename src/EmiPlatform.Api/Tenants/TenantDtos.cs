using EmiPlatform.Api.Keys;
using EmiPlatform.Data.Entities;

namespace EmiPlatform.Api.Tenants;

/// <summary><see cref="MaxConcurrentJobs"/>: the tenant's share of scoring slots; null = every slot the cluster has.</summary>
public sealed record TenantRequest(string? Name, long? MaxStorageBytes, int? MaxRecordings, int? MaxConcurrentJobs = null);

public sealed record TenantDto(Guid Id, string Name, TenantStatus Status, long? MaxStorageBytes, int? MaxRecordings, int? MaxConcurrentJobs,
    long UsedStorageBytes, int UsedRecordings, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static TenantDto From(Tenant t) =>
        new(t.Id, t.Name, t.Status, t.MaxStorageBytes, t.MaxRecordings, t.MaxConcurrentJobs, t.UsedStorageBytes, t.UsedRecordings, t.CreatedAt, t.UpdatedAt);
}

/// <summary>A new tenant and its first tenant-admin key; the key's secret is in this response only.</summary>
public sealed record TenantCreatedDto(TenantDto Tenant, CreatedApiKeyDto AdminKey);
