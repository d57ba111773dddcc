using EmiPlatform.Api.Keys;
using EmiPlatform.Api.Validation;
using EmiPlatform.Data;
using EmiPlatform.Data.Entities;

namespace EmiPlatform.Api.Auth;

/// <summary>Creates key rows and the one-time secret, for the admin API, the tenant-admin API and tenant creation alike.</summary>
public static class ApiKeyIssuer
{
    public static FieldErrors Validate(ApiKeyRequest request)
    {
        var errors = new FieldErrors();
        errors.RequiredText("name", request.Name, Limits.NameLength);
        if (request.Role is null)
        {
            errors.Add("role", "is required: tenant_admin, uploader or analyst");
        }
        return errors;
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
