using System.ComponentModel.DataAnnotations;
using EmiPlatform.Api.Auth;
using EmiPlatform.Api.Validation;
using EmiPlatform.Data;
using EmiPlatform.Data.Entities;

namespace EmiPlatform.Api.Keys;

public sealed record ApiKeyRequest(
    [Required, StringLength(Limits.NameLength), NoControlCharacters] string Name,
    [Required(ErrorMessage = "is required: tenant_admin, uploader or analyst")] ApiKeyRole? Role);

/// <summary>A key as listed: never the secret, only the public prefix that identifies it.</summary>
public sealed record ApiKeyDto(Guid Id, string Name, ApiKeyRole Role, string Prefix, DateTimeOffset CreatedAt,
    DateTimeOffset? RevokedAt, DateTimeOffset? LastUsedAt)
{
    public static ApiKeyDto From(ApiKey k) =>
        new(k.Id, k.Name, k.Role, ApiKeyFormat.DisplayPrefix(k.PublicId), k.CreatedAt, k.RevokedAt, k.LastUsedAt);
}

/// <summary>Returned once, at creation: <see cref="Secret"/> is the whole key and cannot be shown again.</summary>
public sealed record CreatedApiKeyDto(ApiKeyDto Key, string Secret);
