namespace EmiPlatform.Data.Entities;

/// <summary>Roles a tenant's API key can carry. The platform-admin role is never stored: its key comes from configuration.</summary>
public enum ApiKeyRole
{
    TenantAdmin,
    Uploader,
    Analyst,
}
