using EmiPlatform.Api.Auth;
using Microsoft.AspNetCore.Http.HttpResults;

namespace EmiPlatform.Api.Storage;

/// <summary>Platform-admin storage maintenance.</summary>
public static class StorageApi
{
    public static RouteGroupBuilder MapStorageApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/v1/admin/storage").WithTags("Admin: storage").RequireAuthorization(Policies.PlatformAdmin);
        group.MapPost("/sweep", Sweep).WithName("sweepStorage").WithSummary("Find (and remove) orphaned blobs and rows")
            .WithDescription("Reports blobs without a row and rows without a blob; with remove=true deletes them. Blobs younger than Recordings:SweepGracePeriod are left alone.");
        return group;
    }

    /// <summary>Reports blobs without rows and rows without blobs; <c>?remove=true</c> also deletes them.</summary>
    private static async Task<Ok<SweepReportDto>> Sweep(bool? remove, StorageSweep sweep, CancellationToken ct) =>
        TypedResults.Ok(await sweep.RunAsync(remove ?? false, remove ?? false, ct));
}
