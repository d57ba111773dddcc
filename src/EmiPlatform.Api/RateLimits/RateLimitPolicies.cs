namespace EmiPlatform.Api.RateLimits;

/// <summary>Endpoint rate-limit policies, on top of the global per-key budget every request spends.</summary>
public static class RateLimitPolicies
{
    /// <summary><see cref="RateLimitsOptions.Exports"/>: the CSV export, which streams a whole study.</summary>
    public const string Exports = nameof(Exports);
}
