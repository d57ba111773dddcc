using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EmiPlatform.Api.Tests.Infrastructure;

/// <summary>
/// The receiving end of OTLP/HTTP on 127.0.0.1 (Kestrel): keeps each export request's path, content type and body,
/// and answers 200 with an empty body, which an OTLP exporter reads as a full success.
/// </summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    public sealed record Export(string Path, string? ContentType, byte[] Body);

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<Export> _exports = new();

    private OtlpReceiver(WebApplication app) => _app = app;

    public IReadOnlyList<Export> Exports => [.. _exports];

    public Uri Url { get; private set; } = null!;

    public static async Task<OtlpReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new OtlpReceiver(app);
        app.MapPost("/v1/{signal}", async (HttpContext context) =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            receiver._exports.Enqueue(new Export(context.Request.Path, context.Request.ContentType, body.ToArray()));
            context.Response.StatusCode = StatusCodes.Status200OK;
        });
        await app.StartAsync();
        receiver.Url = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return receiver;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
