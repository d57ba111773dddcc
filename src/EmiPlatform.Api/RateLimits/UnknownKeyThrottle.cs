using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace EmiPlatform.Api.RateLimits;

/// <summary>
/// Counts, per remote address, presented keys that were not valid, and says when an address has spent its
/// <see cref="RateLimitsOptions.UnknownKeys"/> budget, so the authentication handler can refuse before it queries.
/// </summary>
public sealed class UnknownKeyThrottle(IOptions<RateLimitsOptions> options) : IDisposable
{
    private readonly PartitionedRateLimiter<string> failures = PartitionedRateLimiter.Create<string, string>(address =>
        RateLimitPartition.GetTokenBucketLimiter(address, _ => options.Value.UnknownKeys.ToLimiterOptions()));

    /// <summary>Whether a key from <paramref name="address"/> may still be looked up; spends nothing.</summary>
    // Not AttemptAcquire(address, 0): under the partitioned limiter that answers "acquired" with no tokens left.
    public bool MayLookUp(string address) => failures.GetStatistics(address)?.CurrentAvailablePermits is not <= 0;

    public void CountFailure(string address) => failures.AttemptAcquire(address).Dispose();

    public void Dispose() => failures.Dispose();
}
