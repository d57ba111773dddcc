using EmiPlatform.Api.Keys;
using EmiPlatform.Data.Entities;

namespace EmiPlatform.Api.Auth;

/// <summary>Creates key rows and the one-time secret, for the admin API, the tenant-admin API and tenant creation alike.</summary>
public static class ApiKeyIssuer
{
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
