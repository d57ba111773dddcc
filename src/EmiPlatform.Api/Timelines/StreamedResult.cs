using System.IO.Pipelines;
using EmiPlatform.Api.RateLimits;
using Microsoft.AspNetCore.Http.Features;

namespace EmiPlatform.Api.Timelines;

/// <summary>
/// A 200 whose body a callback writes straight to the response pipe (chunked, no Content-Length), so the response
/// is never held in memory. A failure once any of the body is written — sent, or still in the pipe — cannot become a
/// problem response any more: the connection is aborted, so a client sees a broken transfer, never a short document
/// that looks whole (nor half a document with a problem appended, which is what the exception handler would make of
/// bytes still in the pipe). Its endpoint holds a <see cref="StreamSlots"/> slot of the key and tenant
/// (<see cref="StreamSlotEndpoints.HoldsStreamSlot"/>), and it is aborted when not read to the end within the configured deadline.
/// </summary>
public sealed class StreamedResult(string contentType, string? attachmentName, Func<PipeWriter, CancellationToken, Task> write) : IResult
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var slots = httpContext.RequestServices.GetRequiredService<StreamSlots>();
        // A reader slow enough to pass Kestrel's minimum data rate could still hold its database connection for hours.
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(httpContext.RequestAborted);
        deadline.CancelAfter(slots.Deadline);
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = contentType;
        if (attachmentName is not null)
        {
            response.Headers.ContentDisposition = $"attachment; filename=\"{attachmentName}\"";
        }
        response.Headers.CacheControl = "no-store";
        httpContext.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        try
        {
            await write(response.BodyWriter, deadline.Token);
            await response.BodyWriter.FlushAsync(deadline.Token);
        }
        catch (OperationCanceledException) when (!httpContext.RequestAborted.IsCancellationRequested)
        {
            httpContext.RequestServices.GetRequiredService<ILogger<StreamedResult>>().LogWarning(
                "Streamed response to {Method} {Path} not read within {Deadline}; connection aborted", httpContext.Request.Method, httpContext.Request.Path, slots.Deadline);
            httpContext.Abort();
        }
        catch (Exception ex) when (!httpContext.RequestAborted.IsCancellationRequested && BodyBegun(response))
        {
            httpContext.RequestServices.GetRequiredService<ILogger<StreamedResult>>()
                .LogError(ex, "Streamed response to {Method} {Path} failed after its body began; connection aborted", httpContext.Request.Method, httpContext.Request.Path);
            httpContext.Abort();
        }
    }

    /// <summary>Some of the body is on its way: sent already, or written to the pipe and not yet flushed.</summary>
    private static bool BodyBegun(HttpResponse response) =>
        response.HasStarted || (response.BodyWriter.CanGetUnflushedBytes && response.BodyWriter.UnflushedBytes > 0);
}
