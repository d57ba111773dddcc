using EmiPlatform.Api.Database;
using EmiPlatform.Api.Keys;
using EmiPlatform.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace EmiPlatform.Api.Auth;

/// <summary>Creates key rows and the one-time secret, for the admin API, the tenant-admin API and tenant creation alike.</summary>
public static class ApiKeyIssuer
{
    /// <summary>Unrevoked keys a tenant may hold: each key is its own request budget, so unlimited keys would be unlimited budget.</summary>
    public const int MaxActivePerTenant = 50;

    public static string CapReached => $"A tenant may hold at most {MaxActivePerTenant} unrevoked API keys; revoke one first.";

    /// <summary>Issues a key unless the tenant already holds <see cref="MaxActivePerTenant"/> unrevoked ones.</summary>
    public static async Task<CreatedApiKeyDto?> TryIssueAsync(
        DbContext db, Guid tenantId, string name, ApiKeyRole role, DateTimeOffset now, CancellationToken ct)
    {
        var (row, created) = Issue(tenantId, name, role, now);
        var keys = db.Set<ApiKey>();
        var added = await TenantCap.TryAddAsync(db, "api_keys", tenantId,
            keys.Where(k => k.TenantId == tenantId && k.RevokedAt == null), MaxActivePerTenant, () => keys.Add(row), ct);
        return added ? created : null;
    }

    public static (ApiKey Row, CreatedApiKeyDto Created) Issue(Guid tenantId, string name, ApiKeyRole role, DateTimeOffset now)
    {
        var (key, publicId, secretHash) = ApiKeyFormat.Generate();
        var row = new ApiKey
        {
            Id = Guid.CreateVersion7(now),
            TenantId = tenantId,
            PublicId = publicId,
            SecretHash = secretHash,
            Name = name,
            Role = role,
            CreatedAt = now,
        };
        return (row, new CreatedApiKeyDto(ApiKeyDto.From(row), key));
    }
}
