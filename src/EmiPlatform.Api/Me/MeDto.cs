using EmiPlatform.Api.Tenants;

namespace EmiPlatform.Api.Me;

/// <summary>Who the presented key is: lets a CLI profile check itself.</summary>
public sealed record MeDto(string Role, TenantDto? Tenant);
