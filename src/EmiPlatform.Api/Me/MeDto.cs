using EmiPlatform.Api.Tenants;

namespace EmiPlatform.Api.Me;

/// <summary>
/// Who the presented key is: lets a CLI profile check itself. For a tenant's key, <see cref="DirectUploads"/> shows what
/// its open direct uploads hold beside the tenant's stored bytes (<see cref="TenantDto.UsedStorageBytes"/>).
/// </summary>
public sealed record MeDto(string Role, TenantDto? Tenant, OpenUploadsDto? DirectUploads = null);
