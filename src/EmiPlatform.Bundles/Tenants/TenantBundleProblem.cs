namespace EmiPlatform.Bundles.Tenants;

public enum TenantBundleProblem
{
    /// <summary>The upload or its manifest is wrong (422).</summary>
    Invalid,

    /// <summary>A file is over the size bound (413).</summary>
    TooLarge,

    /// <summary>The name and version are taken, by a platform bundle or by another of the tenant's (409).</summary>
    Conflict,
}
