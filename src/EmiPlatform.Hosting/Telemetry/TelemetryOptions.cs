using System.ComponentModel.DataAnnotations;

namespace EmiPlatform.Hosting.Telemetry;

/// <summary>
/// Where telemetry goes (section <c>OpenTelemetry</c>): an OTLP collector when <see cref="Otlp"/> names one (or the
/// standard <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set), a Prometheus scrape listener of the process's own when
/// <see cref="Prometheus"/> gives a port. The API host also serves <c>/metrics</c> to platform admins, whatever this says.
/// </summary>
public sealed class TelemetryOptions
{
    public const string Section = "OpenTelemetry";

    public OtlpOptions Otlp { get; set; } = new();

    public PrometheusListenerOptions Prometheus { get; set; } = new();

    /// <summary>How often a coordinator counts jobs by tenant and state for the <c>emi.jobs</c> gauge.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan JobStatesInterval { get; set; } = TimeSpan.FromSeconds(15);
}
