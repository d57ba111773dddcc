namespace EmiPlatform.Api.Auth;

/// <summary>Role claim values; the same snake_case words the API uses for key roles.</summary>
public static class Roles
{
    public const string PlatformAdmin = "platform_admin";
    public const string TenantAdmin = "tenant_admin";
    public const string Uploader = "uploader";
    public const string Analyst = "analyst";
}
