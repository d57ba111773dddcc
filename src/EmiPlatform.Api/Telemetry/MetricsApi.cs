using EmiPlatform.Api.Auth;

namespace EmiPlatform.Api.Telemetry;

/// <summary>
/// The Prometheus scrape endpoint of the API host, for platform admins only: its series name every tenant, which no
/// lab may see of another. Prometheus sends the key as a bearer token (<c>authorization: credentials</c> in its scrape
/// config). The exporter's endpoint is invisible to ASP.NET Core's API explorer; OpenApi/MetricsPathTransformer describes it.
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
