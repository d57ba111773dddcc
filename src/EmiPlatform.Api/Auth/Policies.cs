namespace EmiPlatform.Api.Auth;

/// <summary>Authorization policy names; each route group declares one, endpoints narrow it where needed.</summary>
public static class Policies
{
    public const string PlatformAdmin = nameof(PlatformAdmin);

    /// <summary>Any role of an active tenant: read studies, participants, results.</summary>
    public const string TenantRead = nameof(TenantRead);

    /// <summary>Labs' write access: tenant admins and uploaders create studies, participants, recordings.</summary>
    public const string TenantWrite = nameof(TenantWrite);

    public const string TenantAdmin = nameof(TenantAdmin);
}
