using System.Globalization;
using System.Threading.RateLimiting;
using EmiPlatform.Api.Auth;
using EmiPlatform.Api.Problems;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace EmiPlatform.Api.RateLimits;

/// <summary>
/// ASP.NET Core's rate limiter, partitioned by who is asking: the API key (its id), the platform admin, or for requests
/// without a valid key the remote address. It runs after authentication, so a partition is never chosen by what a
/// client merely claims (a made-up key id would otherwise be a fresh bucket per request).
/// </summary>
public static class RateLimitExtensions
{
    public static IHostApplicationBuilder AddEmiRateLimits(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<RateLimitsOptions>().BindConfiguration(RateLimitsOptions.Section)
            .Validate(o => o.Requests.IsValid && o.TenantRequests.IsValid && o.Exports.IsValid && o.Anonymous.IsValid && o.UnknownKeys.IsValid,
                "RateLimits: every budget needs TokenLimit >= 1, TokensPerPeriod >= 1 and a positive Period.")
            .Validate(o => o.StreamsPerKey >= 1 && o.StreamsPerTenant >= o.StreamsPerKey && o.StreamDeadline > TimeSpan.Zero,
                "RateLimits: StreamsPerKey >= 1, StreamsPerTenant >= StreamsPerKey and a positive StreamDeadline.")
            .ValidateOnStart();
        builder.Services.AddSingleton<UnknownKeyThrottle>();
        builder.Services.AddSingleton<StreamSlots>();
        builder.Services.AddRateLimiter(_ => { });
        builder.Services.AddOptions<RateLimiterOptions>().Configure<IOptions<RateLimitsOptions>>((o, configured) =>
        {
            var limits = configured.Value;
            o.GlobalLimiter = PartitionedRateLimiter.CreateChained(
                PartitionedRateLimiter.Create<HttpContext, string>(context =>
                {
                    var partition = Partition(context);
                    var budget = partition.StartsWith("ip:", StringComparison.Ordinal) ? limits.Anonymous : limits.Requests;
                    return RateLimitPartition.GetTokenBucketLimiter(partition, _ => budget.ToLimiterOptions());
                }),
                PartitionedRateLimiter.Create<HttpContext, string>(context =>
                    context.User.FindFirst(EmiClaims.TenantId)?.Value is { } tenant
                        ? RateLimitPartition.GetTokenBucketLimiter("tenant:" + tenant, _ => limits.TenantRequests.ToLimiterOptions())
                        : RateLimitPartition.GetNoLimiter("")));
            o.AddPolicy(RateLimitPolicies.Exports, context =>
                RateLimitPartition.GetTokenBucketLimiter(Partition(context), _ => limits.Exports.ToLimiterOptions()));
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.OnRejected = (rejected, _) => new ValueTask(RejectAsync(rejected.HttpContext, rejected.Lease));
        });
        return builder;
    }

    private static string Partition(HttpContext context)
    {
        var user = context.User;
        if (user.FindFirst(EmiClaims.KeyId)?.Value is { } keyId)
        {
            return "key:" + keyId;
        }
        if (user.IsInRole(Roles.PlatformAdmin))
        {
            return "platform-admin";
        }
        // Behind a reverse proxy this is the proxy's address unless the host is configured for forwarded headers.
        return "ip:" + (context.Connection.RemoteIpAddress?.ToString() ?? "unknown");
    }

    private static Task RejectAsync(HttpContext context, RateLimitLease lease)
    {
        var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : TimeSpan.FromSeconds(1);
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        var who = context.User.Identity?.IsAuthenticated == true ? "this API key (or of its tenant's keys together)" : "requests without a valid API key from this address";
        return ProblemWriter.WriteAsync(context, StatusCodes.Status429TooManyRequests, ProblemTypes.RateLimited, "Too many requests",
            $"The request budget of {who} is spent; nothing was done. Retry after {seconds} s.");
    }
}
