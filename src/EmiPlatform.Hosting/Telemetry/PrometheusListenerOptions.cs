using System.ComponentModel.DataAnnotations;

namespace EmiPlatform.Hosting.Telemetry;

/// <summary>
/// A Prometheus scrape endpoint on a port of the process's own (<c>OpenTelemetry:Prometheus</c>, served by
/// <see cref="MetricsListener"/>): how a silo is scraped. Off unless <see cref="Port"/> is set, because silos started
/// side by side on one machine would fight over one default port. It has no authentication: bind it to an address
/// only the scraper reaches.
/// </summary>
public sealed class PrometheusListenerOptions
{
    [Range(1, 65535)]
    public int? Port { get; set; }

    /// <summary><c>localhost</c> (loopback), <c>*</c> (every address) or one IP address.</summary>
    public string Host { get; set; } = "localhost";
}
