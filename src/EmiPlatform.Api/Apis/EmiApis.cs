using EmiPlatform.Api.Telemetry;

namespace EmiPlatform.Api.Apis;

public static class EmiApis
{
    /// <summary>Every resource's routes; one line per <c>XxxApi</c> class.</summary>
    public static IEndpointRouteBuilder MapEmiApis(this IEndpointRouteBuilder routes)
    {
        routes.MapHealthApi();
        routes.MapOpenApi("/openapi/{documentName}.json").AllowAnonymous();
        routes.MapMeApi();
        routes.MapTenantsApi();
        routes.MapKeysApi();
        routes.MapStudiesApi();
        routes.MapParticipantsApi();
        routes.MapRecordingsApi();
        routes.MapStorageApi();
        routes.MapJobsApi();
        routes.MapStudyProgressApi();
        routes.MapBundlesApi();
        routes.MapTimelinesApi();
        routes.MapExportApi();
        routes.MapWebhooksApi();
        routes.MapMetricsApi();
        return routes;
    }
}
