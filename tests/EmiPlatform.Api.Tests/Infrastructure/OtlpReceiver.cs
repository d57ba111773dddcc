using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace EmiPlatform.Api.Tests.Infrastructure;

/// <summary>
/// The receiving end of OTLP/HTTP on 127.0.0.1 (Kestrel): keeps each export request's path, content type and body,
/// and answers 200 with an empty body, which an OTLP exporter reads as a full success.
/// </summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    public sealed record Export(string Path, string? ContentType, byte[] Body);

    private readonly ConcurrentQueue<Export> _exports = new();
    private WebApplication _app = null!;

    private OtlpReceiver() { }

    public IReadOnlyList<Export> Exports => [.. _exports];

    public Uri Url { get; private set; } = null!;

    public static async Task<OtlpReceiver> StartAsync()
    {
        var receiver = new OtlpReceiver();
        (receiver._app, receiver.Url) = await LoopbackServer.StartAsync(app => app.MapPost("/v1/{signal}", async (HttpContext context) =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            receiver._exports.Enqueue(new Export(context.Request.Path, context.Request.ContentType, body.ToArray()));
            context.Response.StatusCode = StatusCodes.Status200OK;
        }));
        return receiver;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
