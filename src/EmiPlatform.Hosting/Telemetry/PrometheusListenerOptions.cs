namespace EmiPlatform.Hosting.Telemetry;

/// <summary>
/// A Prometheus scrape endpoint of the process's own, outside any web host (<c>OpenTelemetry:Prometheus</c>): how a
/// silo is scraped. Off unless <see cref="Port"/> is set, because silos started side by side on one machine would
/// fight over one default port. It has no authentication: bind it to a host name only the scraper reaches.
/// </summary>
public sealed class PrometheusListenerOptions
{
    public int? Port { get; set; }

    public string Host { get; set; } = "localhost";
}
