namespace EmiPlatform.Api.RateLimits;

/// <summary>Configuration section <c>RateLimits</c>: the request budgets of docs/api.md, "Rate limits".</summary>
public sealed class RateLimitsOptions
{
    public const string Section = "RateLimits";

    /// <summary>Every request of one API key (the platform admin's included), whatever the endpoint.</summary>
    public TokenBucketBudget Requests { get; set; } = new() { TokenLimit = 200, TokensPerPeriod = 100, Period = TimeSpan.FromSeconds(1) };

    /// <summary>
    /// Every request of one tenant's keys together, on top of <see cref="Requests"/>: a tenant admin may hold up to 50
    /// keys, and without this each would bring a budget of its own.
    /// </summary>
    public TokenBucketBudget TenantRequests { get; set; } = new() { TokenLimit = 400, TokensPerPeriod = 200, Period = TimeSpan.FromSeconds(1) };

    /// <summary>
    /// CSV exports of one API key, on top of <see cref="Requests"/>: an export streams every window of a study out of
    /// PostgreSQL, worth thousands of ordinary requests.
    /// </summary>
    public TokenBucketBudget Exports { get; set; } = new() { TokenLimit = 10, TokensPerPeriod = 1, Period = TimeSpan.FromSeconds(6) };

    /// <summary>
    /// Requests without a valid key, per remote address: what is left of a flood of wrong keys after each one cost a
    /// key lookup. A separate partition, so nobody can spend a lab's budget by sending garbage.
    /// </summary>
    public TokenBucketBudget Anonymous { get; set; } = new() { TokenLimit = 60, TokensPerPeriod = 20, Period = TimeSpan.FromSeconds(1) };

    /// <summary>
    /// Key lookups that found no valid key, per remote address. Authentication runs before the request limiter, so
    /// without this every made-up well-formed key would cost a database query; once spent, keys from that address are
    /// refused without a lookup until the bucket refills (a lab behind the same address waits too).
    /// </summary>
    public TokenBucketBudget UnknownKeys { get; set; } = new() { TokenLimit = 20, TokensPerPeriod = 2, Period = TimeSpan.FromSeconds(1) };

    /// <summary>
    /// Streamed responses (timelines, scores, exports, the study event stream) one API key may have open at once. Each
    /// streamed result holds a pooled database connection until its last byte is read; the caps keep a few slow
    /// readers from holding every connection of the pool.
    /// </summary>
    public int StreamsPerKey { get; set; } = 4;

    /// <summary>The same, summed over every key of one tenant (a tenant holds at most 50 keys).</summary>
    public int StreamsPerTenant { get; set; } = 16;

    /// <summary>The longest a streamed result may take to be read; then its connection is aborted and its slot freed.</summary>
    public TimeSpan StreamDeadline { get; set; } = TimeSpan.FromMinutes(10);
}
