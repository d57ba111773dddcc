using System.Globalization;
using EmiPlatform.Abstractions.Studies;
using EmiPlatform.Api.Auth;
using EmiPlatform.Api.OpenApi;
using EmiPlatform.Api.RateLimits;
using EmiPlatform.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Problem = EmiPlatform.Api.Problems.Problem;

namespace EmiPlatform.Api.Progress;

/// <summary>A study's scoring progress from its grain: the counters now, and a live Server-Sent Events stream.</summary>
public static class StudyProgressApi
{
    public static IEndpointRouteBuilder MapStudyProgressApi(this IEndpointRouteBuilder routes)
    {
        var studies = routes.MapGroup("/v1/studies/{studyId:guid}").WithTags("Scoring jobs").RequireAuthorization(Policies.TenantRead);
        studies.MapGet("/progress", GetProgress).WithName("getStudyProgress").WithSummary("Get a study's scoring progress")
            .WithDescription("The counters of the current (or last) scoring run: jobs by state, recording seconds done of total, ETA.")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        studies.MapGet("/events", StreamEvents).WithName("streamStudyEvents").WithSummary("Stream a study's scoring events (Server-Sent Events)")
            .AddOpenApiOperationTransformer(StreamedResponses.StudyEvents).HoldsStreamSlot()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithDescription("Server-Sent Events (text/event-stream): a snapshot (or, with Last-Event-ID, the events missed), then job, " +
                "progress and completed events and a heartbeat every 15 s. Best effort on top of the jobs table: a reconnect resumes " +
                "from Last-Event-ID when the study's grain still holds those events, else from a fresh snapshot. Counts as one of the key's " +
                "open streams (429 too-many-streams beyond); ends at the next heartbeat once the key is revoked or the tenant suspended.");
        return routes;
    }

    private static async Task<Results<Ok<StudyProgressDto>, ProblemHttpResult>> GetProgress(
        Guid studyId, EmiDbContext db, IGrainFactory grains, CancellationToken ct)
    {
        if (!await db.Studies.AsNoTracking().AnyAsync(s => s.Id == studyId, ct))
        {
            return Problem.NotFound("study");
        }
        return TypedResults.Ok(StudyProgressDto.From(await grains.GetGrain<IStudyGrain>(studyId).GetProgressAsync()));
    }

    private static async Task<Results<ServerSentEventsResult<StudyEventDto>, ProblemHttpResult>> StreamEvents(
        Guid studyId, HttpContext context, EmiDbContext db, AdminDbContext admin, StudyEventStream stream, CancellationToken ct)
    {
        if (!await db.Studies.AsNoTracking().AnyAsync(s => s.Id == studyId, ct))
        {
            return Problem.NotFound("study");
        }
        var header = context.Request.Headers["Last-Event-ID"].ToString();
        long? last = long.TryParse(header, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : null;
        var keyId = Guid.Parse(context.User.FindFirst(EmiClaims.KeyId)!.Value, CultureInfo.InvariantCulture);
        return TypedResults.ServerSentEvents(stream.StreamAsync(studyId, last, token => KeyStanding.StillValidAsync(admin, keyId, token), ct));
    }
}
