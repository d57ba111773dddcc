using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;

namespace EmiPlatform.Hosting.Telemetry;

/// <summary>
/// A host's Prometheus scrape endpoint on a port of its own (<see cref="PrometheusListenerOptions"/>): a Kestrel server
/// with nothing but <c>GET /metrics</c>, answered by the host's own meter provider through the same ASP.NET Core
/// exporter as the API host's <c>/metrics</c>. How a silo, which is no web host, is scraped. (OpenTelemetry's
/// HttpListener exporter would do the same, but its authors call it a development aid, never to be production-ready.)
/// </summary>
public sealed class MetricsListener(MeterProvider meters, IOptions<TelemetryOptions> options) : IHostedService, IAsyncDisposable
{
    private WebApplication? _server;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value.Prometheus;
        if (settings.Port is not { } port)
        {
            return;
        }
        // An empty builder: none of the host's configuration (its URLs, its logging) leaks into this server.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k => Listen(k, settings.Host, port));
        _server = builder.Build();
        _server.UseOpenTelemetryPrometheusScrapingEndpoint(meters, context => context.Request.Path == "/metrics", null, null, null);
        _server.Run(context =>
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        });
        await _server.StartAsync(cancellationToken);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_server is not null)
        {
            await _server.StopAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    private static void Listen(KestrelServerOptions kestrel, string host, int port)
    {
        if (host is "*" or "+")
        {
            kestrel.ListenAnyIP(port);
        }
        else if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            kestrel.ListenLocalhost(port);
        }
        else
        {
            kestrel.Listen(IPAddress.Parse(host), port);
        }
    }
}
