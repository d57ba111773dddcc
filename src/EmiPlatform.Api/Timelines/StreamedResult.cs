using System.IO.Pipelines;
using Microsoft.AspNetCore.Http.Features;

namespace EmiPlatform.Api.Timelines;

/// <summary>
/// A 200 whose body a callback writes straight to the response pipe (chunked, no Content-Length), so the response
/// is never held in memory. Errors after the first flush cannot become a problem response any more: the exception
/// propagates and Kestrel aborts the connection, so a client sees a broken transfer, never a short file that looks whole.
/// </summary>
public sealed class StreamedResult(string contentType, string? attachmentName, Func<PipeWriter, CancellationToken, Task> write) : IResult
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = contentType;
        if (attachmentName is not null)
        {
            response.Headers.ContentDisposition = $"attachment; filename=\"{attachmentName}\"";
        }
        response.Headers.CacheControl = "no-store";
        httpContext.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        await write(response.BodyWriter, httpContext.RequestAborted);
        await response.BodyWriter.FlushAsync(httpContext.RequestAborted);
    }
}
