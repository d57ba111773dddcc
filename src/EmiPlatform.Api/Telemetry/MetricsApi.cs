using EmiPlatform.Api.Auth;

namespace EmiPlatform.Api.Telemetry;

/// <summary>
/// The Prometheus scrape endpoint of the API host, for platform admins only: its series name every tenant, which no
/// lab may see of another. Prometheus sends the key as a bearer token (<c>authorization: credentials</c> in its scrape
/// config). Left out of the OpenAPI document: it is Prometheus's text format, not part of the platform's API.
/// </summary>
public static class MetricsApi
{
    public const string Path = "/metrics";

    public static IEndpointRouteBuilder MapMetricsApi(this IEndpointRouteBuilder routes)
    {
        routes.MapPrometheusScrapingEndpoint(Path).RequireAuthorization(Policies.PlatformAdmin).ExcludeFromDescription();
        return routes;
    }
}
