namespace EmiPlatform.Api.Database;

/// <summary>How a <see cref="TenantCap"/> insert ended.</summary>
public enum TenantCapOutcome
{
    Added,

    /// <summary>The tenant holds the cap already; nothing was added.</summary>
    AtCap,

    /// <summary>Under the cap, but the admission check declined; nothing was added.</summary>
    Declined,
}
