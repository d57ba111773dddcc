using System.Threading.RateLimiting;

namespace EmiPlatform.Api.RateLimits;

/// <summary>
/// One partition's budget: a bucket of <see cref="TokenLimit"/> requests, refilled by <see cref="TokensPerPeriod"/>
/// every <see cref="Period"/>. A burst up to the bucket passes at once; the sustained rate is TokensPerPeriod / Period.
/// </summary>
public sealed class TokenBucketBudget
{
    public int TokenLimit { get; set; }

    public int TokensPerPeriod { get; set; }

    public TimeSpan Period { get; set; } = TimeSpan.FromSeconds(1);

    public bool IsValid => TokenLimit >= 1 && TokensPerPeriod >= 1 && Period > TimeSpan.Zero;

    // No queue: a request over budget is answered at once with Retry-After instead of holding a connection open.
    public TokenBucketRateLimiterOptions ToLimiterOptions() => new()
    {
        TokenLimit = TokenLimit,
        TokensPerPeriod = TokensPerPeriod,
        ReplenishmentPeriod = Period,
        QueueLimit = 0,
        AutoReplenishment = true,
    };
}
