using System.Globalization;
using System.Threading.RateLimiting;
using EmiPlatform.Api.Auth;
using EmiPlatform.Api.Problems;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Problem = EmiPlatform.Api.Problems.Problem;

namespace EmiPlatform.Api.RateLimits;

/// <summary>
/// Concurrency slots for streamed responses: <see cref="RateLimitsOptions.StreamsPerKey"/> per API key and
/// <see cref="RateLimitsOptions.StreamsPerTenant"/> per tenant, chained, so neither one key nor many keys of one tenant
/// can hold more. ASP.NET Core's rate-limiter middleware holds a lease only while the endpoint runs, and a streamed
/// result outlives it; a slot here is held until the response is over. <see cref="StreamSlotEndpoints.HoldsStreamSlot"/>
/// takes it before the endpoint's own queries, so a refusal costs no database work beyond the key's lookup.
/// </summary>
public sealed class StreamSlots(IOptions<RateLimitsOptions> options) : IDisposable
{
    private readonly PartitionedRateLimiter<HttpContext> slots = PartitionedRateLimiter.CreateChained(
        PartitionedRateLimiter.Create<HttpContext, string>(context =>
            RateLimitPartition.GetConcurrencyLimiter("key:" + context.User.FindFirst(EmiClaims.KeyId)?.Value,
                _ => new ConcurrencyLimiterOptions { PermitLimit = options.Value.StreamsPerKey, QueueLimit = 0 })),
        PartitionedRateLimiter.Create<HttpContext, string>(context =>
            RateLimitPartition.GetConcurrencyLimiter("tenant:" + context.User.FindFirst(EmiClaims.TenantId)?.Value,
                _ => new ConcurrencyLimiterOptions { PermitLimit = options.Value.StreamsPerTenant, QueueLimit = 0 })));

    public TimeSpan Deadline => options.Value.StreamDeadline;

    /// <summary>
    /// Takes a slot for this request until its response ends; false, with Retry-After set, when the key or its tenant
    /// has none left (answer <see cref="Refused"/>).
    /// </summary>
    public bool TryTake(HttpContext context)
    {
        var lease = slots.AttemptAcquire(context);
        if (lease.IsAcquired)
        {
            context.Response.RegisterForDispose(lease);
            return true;
        }
        lease.Dispose();
        context.Response.Headers.RetryAfter = "5";
        return false;
    }

    public ProblemHttpResult Refused()
    {
        var limits = options.Value;
        return Problem.Create(StatusCodes.Status429TooManyRequests, ProblemTypes.TooManyStreams, "Too many open streams",
            string.Create(CultureInfo.InvariantCulture,
                $"An API key may read {limits.StreamsPerKey} streamed results (timelines, scores, exports, event streams) at once, and a tenant {limits.StreamsPerTenant}; nothing was read. Finish or close one, or retry after 5 s."));
    }

    public void Dispose() => slots.Dispose();
}

public static class StreamSlotEndpoints
{
    /// <summary>
    /// The endpoint answers with a streamed result: it takes one of the key's and tenant's stream slots before its handler
    /// runs (429 <c>too-many-streams</c> when none is left) and holds it until the response is over.
    /// </summary>
    public static RouteHandlerBuilder HoldsStreamSlot(this RouteHandlerBuilder builder) =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            var slots = context.HttpContext.RequestServices.GetRequiredService<StreamSlots>();
            return slots.TryTake(context.HttpContext) ? await next(context) : slots.Refused();
        }).ProducesProblem(StatusCodes.Status429TooManyRequests);
}
