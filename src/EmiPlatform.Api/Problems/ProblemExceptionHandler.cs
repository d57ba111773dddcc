using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Orleans.Runtime;

namespace EmiPlatform.Api.Problems;

/// <summary>
/// Turns request-shape failures the framework raises (bad JSON, wrong content type, body too large) into problem
/// responses with their real status, a grain call during a silo failover into a 503 with Retry-After; anything else is a
/// 500 that reveals nothing of the server.
/// </summary>
public sealed class ProblemExceptionHandler(ILogger<ProblemExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        if (context.Response.HasStarted)
        {
            return false;
        }
        if (exception is BadHttpRequestException bad)
        {
            var status = bad.StatusCode;
            var detail = status switch
            {
                StatusCodes.Status413PayloadTooLarge => "The request body is larger than this endpoint accepts.",
                StatusCodes.Status415UnsupportedMediaType => "Send the body as application/json.",
                _ => bad.InnerException is JsonException json ? $"The body is not valid JSON for this endpoint: {json.Message}" : bad.Message,
            };
            await ProblemWriter.WriteAsync(context, status, ProblemTypes.ForStatus(status), "Bad request", detail);
            return true;
        }
        if (exception is OperationCanceledException && context.RequestAborted.IsCancellationRequested)
        {
            return true; // the client left; nobody reads a response
        }
        if (exception is SiloUnavailableException or OrleansMessageRejectionException or TimeoutException)
        {
            // A silo died and the cluster has not moved its grains yet (seconds): nothing was half-done, try again.
            logger.LogWarning(exception, "Coordinator grains unavailable on {Method} {Path}", context.Request.Method, context.Request.Path);
            context.Response.Headers.RetryAfter = "5";
            await ProblemWriter.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, ProblemTypes.CoordinationUnavailable,
                "Coordination unavailable", "The platform's coordinators are failing over; retry in a few seconds.");
            return true;
        }
        logger.LogError(exception, "Unhandled exception on {Method} {Path}", context.Request.Method, context.Request.Path);
        await ProblemWriter.WriteAsync(context, StatusCodes.Status500InternalServerError, ProblemTypes.Internal, "Internal error",
            $"The server failed to handle the request; quote trace id {context.TraceIdentifier} when reporting it.");
        return true;
    }
}
