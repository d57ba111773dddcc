using EmiPlatform.Telemetry;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using OrleansSources = Orleans.Diagnostics.ActivitySources;

namespace EmiPlatform.Hosting.Telemetry;

public static class TelemetryExtensions
{
    // Azure.Core 1.64 still puts its ActivitySources behind this switch; without it Blob storage calls make no spans.
    private const string AzureActivitySourceSwitch = "Azure.Experimental.EnableActivitySource";

    /// <summary>
    /// OpenTelemetry for a platform host (API or silo): traces from ASP.NET Core, HttpClient, Npgsql, MassTransit,
    /// Orleans, the Azure SDK and the platform's own scoring span; metrics from the same libraries, the .NET runtime and
    /// the platform's meter; logs that carry the trace and span ids. Exported by OTLP when configured
    /// (<see cref="TelemetryOptions"/>), and scraped by Prometheus: the API host maps the admin-only <c>/metrics</c>,
    /// any host can serve it on a port of its own (<see cref="MetricsListener"/>).
    /// </summary>
    public static IHostApplicationBuilder AddEmiTelemetry(this IHostApplicationBuilder builder)
    {
        AppContext.SetSwitch(AzureActivitySourceSwitch, true);
        builder.Services.AddOptions<TelemetryOptions>().BindConfiguration(TelemetryOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        var options = builder.Configuration.GetSection(TelemetryOptions.Section).Get<TelemetryOptions>() ?? new TelemetryOptions();
        builder.Services.TryAddSingleton<EmiMetrics>();

        // Every log record, whichever provider writes it, carries the current trace: console lines show it with IncludeScopes.
        builder.Logging.Configure(o => o.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId | ActivityTrackingOptions.ParentId);
        builder.Logging.AddOpenTelemetry(o => (o.IncludeFormattedMessage, o.IncludeScopes) = (true, true));

        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(builder.Configuration["OTEL_SERVICE_NAME"] ?? builder.Environment.ApplicationName))
            .WithTracing(tracing => tracing
                .AddAspNetCoreInstrumentation(o => o.Filter = context => !IsProbe(context.Request.Path))
                .AddHttpClientInstrumentation()
                .AddNpgsql()
                .AddSource("MassTransit")
                .AddSource(OrleansSources.ApplicationGrainActivitySourceName, OrleansSources.RuntimeActivitySourceName, OrleansSources.LifecycleActivitySourceName)
                .AddSource("Azure.*")
                .AddSource(EmiActivitySource.Name))
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddNpgsqlInstrumentation()
                .AddMeter("MassTransit", "Microsoft.Orleans", EmiMetrics.MeterName)
                // A pull reader: it collects only when /metrics (the API host's, or a MetricsListener's) is scraped.
                .AddPrometheusExporter());
        builder.Services.AddHostedService<MetricsListener>();
        if (options.Otlp.Endpoint is { } endpoint)
        {
            telemetry.UseOtlpExporter(options.Otlp.Protocol, endpoint);
        }
        else if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            telemetry.UseOtlpExporter();
        }

        // Coordinators count jobs (every one reports the same counts: aggregate with max); clients and scoring-only silos do not.
        if ((builder.Configuration.GetSection(EmiClusterOptions.Section).Get<EmiClusterOptions>() ?? new EmiClusterOptions()).IsCoordinator)
        {
            builder.Services.AddHostedService<JobStateGauge>();
        }
        return builder;
    }

    // Liveness probes and scrapes arrive every few seconds and say nothing about an upload: no trace for them.
    private static bool IsProbe(PathString path) =>
        path.StartsWithSegments("/metrics") || path.StartsWithSegments("/healthz") || path.StartsWithSegments("/readyz");
}
