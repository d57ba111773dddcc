using EmiPlatform.Api.Bundles;
using EmiPlatform.Api.Events;
using EmiPlatform.Api.Exports;
using EmiPlatform.Api.Features;
using EmiPlatform.Api.Health;
using EmiPlatform.Api.Jobs;
using EmiPlatform.Api.Keys;
using EmiPlatform.Api.Me;
using EmiPlatform.Api.Participants;
using EmiPlatform.Api.Progress;
using EmiPlatform.Api.Recordings;
using EmiPlatform.Api.Storage;
using EmiPlatform.Api.Studies;
using EmiPlatform.Api.Telemetry;
using EmiPlatform.Api.Tenants;
using EmiPlatform.Api.Timelines;
using EmiPlatform.Api.Webhooks;

namespace EmiPlatform.Api;

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
        routes.MapFeaturesApi();
        routes.MapEventsApi();
        routes.MapWebhooksApi();
        routes.MapMetricsApi();
        return routes;
    }
}
