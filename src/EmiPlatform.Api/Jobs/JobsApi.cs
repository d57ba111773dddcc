using EmiPlatform.Abstractions;
using EmiPlatform.Abstractions.Jobs;
using EmiPlatform.Abstractions.Studies;
using EmiPlatform.Api.Auth;
using EmiPlatform.Api.Paging;
using EmiPlatform.Bundles;
using EmiPlatform.Data;
using EmiPlatform.Data.Entities;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Problem = EmiPlatform.Api.Problems.Problem;

namespace EmiPlatform.Api.Jobs;

/// <summary>
/// Scoring jobs of the caller's tenant: look at one, list a study's, cancel one, re-score a recording or a whole study
/// with a registered bundle. Reads come from the jobs table; every change goes through the study's grain, its one writer.
/// </summary>
public static class JobsApi
{
    public static IEndpointRouteBuilder MapJobsApi(this IEndpointRouteBuilder routes)
    {
        var jobs = routes.MapGroup("/v1/jobs").WithTags("Scoring jobs").RequireAuthorization(Policies.TenantRead);
        jobs.MapGet("/{id:guid}", Get).WithName("getJob").WithSummary("Get a scoring job")
            .WithDescription("State, attempts, progress, worker and execution provider, error, and the bundle it scores with.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        jobs.MapPost("/{id:guid}/cancel", Cancel).RequireAuthorization(Policies.TenantWrite)
            .WithName("cancelJob").WithSummary("Cancel a scoring job")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithDescription("The study's grain cancels the job and announces it; a running job's silo stops its pipeline (and ffmpeg) at once, or at its next heartbeat, and writes nothing.");

        var studies = routes.MapGroup("/v1/studies/{studyId:guid}").WithTags("Scoring jobs").RequireAuthorization(Policies.TenantRead);
        studies.MapGet("/jobs", ListOfStudy).WithName("listStudyJobs").WithSummary("List a study's scoring jobs")
            .WithDescription("Oldest first. Query: state (queued, running, succeeded, failed, cancelled), recordingId (one recording's jobs), page, pageSize.")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        studies.MapPost("/rescore", RescoreStudy).RequireAuthorization(Policies.TenantWrite)
            .WithName("rescoreStudy").WithSummary("Re-score every recording of a study")
            .WithDescription("Queues a job per recording with the given bundle (the default bundle when bundleId is null or the body is absent); recordings with a job of that bundle in flight are skipped.")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        routes.MapGroup("/v1/recordings").WithTags("Scoring jobs").RequireAuthorization(Policies.TenantRead)
            .MapPost("/{id:guid}/rescore", RescoreRecording).RequireAuthorization(Policies.TenantWrite)
            .WithName("rescoreRecording").WithSummary("Re-score a recording")
            .WithDescription("202 with the queued job; 200 with the job already queued or running with that bundle (the default bundle when bundleId is null or the body is absent).")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return routes;
    }

    private sealed class JobRow
    {
        public required ScoringJob Job { get; init; }
        public required RegisteredBundle Bundle { get; init; }
        public required Recording Recording { get; init; }
        public required Participant Participant { get; init; }

        public JobDto ToDto() => JobDto.From(Job, Bundle, Recording, Participant);
    }

    /// <summary>Jobs with what names them to a lab: the bundle, the recording's file name, the participant's code.</summary>
    private static IQueryable<JobRow> WithNames(EmiDbContext db) =>
        from j in db.ScoringJobs.AsNoTracking()
        join b in db.ModelBundles.AsNoTracking() on j.BundleId equals b.Id
        join r in db.Recordings.AsNoTracking() on j.RecordingId equals r.Id
        join p in db.Participants.AsNoTracking() on r.ParticipantId equals p.Id
        select new JobRow { Job = j, Bundle = b, Recording = r, Participant = p };

    private static async Task<Results<Ok<JobDto>, ProblemHttpResult>> Get(Guid id, EmiDbContext db, CancellationToken ct)
    {
        var found = await WithNames(db).Where(x => x.Job.Id == id).ToListAsync(ct);
        return found is [var row] ? TypedResults.Ok(row.ToDto()) : Problem.NotFound("job");
    }

    private static async Task<Results<Ok<Page<JobDto>>, ProblemHttpResult>> ListOfStudy(
        Guid studyId, string? state, Guid? recordingId, [AsParameters] PageQuery page, EmiDbContext db, CancellationToken ct)
    {
        JobState? filter = null;
        if (state is not null)
        {
            if (EnumNames.TryParse<JobState>(state, out var parsed))
            {
                filter = parsed;
            }
            else
            {
                return Problem.Validation(new Dictionary<string, string[]> { ["state"] = [$"must be one of {EnumNames.List<JobState>()}"] });
            }
        }
        if (!await db.Studies.AsNoTracking().AnyAsync(s => s.Id == studyId, ct))
        {
            return Problem.NotFound("study");
        }
        var query = WithNames(db).Where(x => x.Job.StudyId == studyId);
        if (filter is { } f)
        {
            query = query.Where(x => x.Job.State == f);
        }
        if (recordingId is { } recording)
        {
            query = query.Where(x => x.Job.RecordingId == recording);
        }
        var total = await query.LongCountAsync(ct);
        var items = await query.OrderBy(x => x.Job.CreatedAt).ThenBy(x => x.Job.Id).Skip(page.Skip).Take(page.Size).ToListAsync(ct);
        return TypedResults.Ok(new Page<JobDto>([.. items.Select(x => x.ToDto())], page.Number, page.Size, total));
    }

    private static async Task<Results<Ok<JobDto>, ProblemHttpResult>> Cancel(
        Guid id, EmiDbContext db, IGrainFactory grains, CancellationToken ct)
    {
        var studyId = await db.ScoringJobs.AsNoTracking().Where(j => j.Id == id).Select(j => (Guid?)j.StudyId).SingleOrDefaultAsync(ct);
        if (studyId is null)
        {
            return Problem.NotFound("job");
        }
        var outcome = await grains.GetGrain<IStudyGrain>(studyId.Value).CancelJobAsync(id);
        var found = await WithNames(db).Where(x => x.Job.Id == id).ToListAsync(ct);
        return (outcome, found) switch
        {
            (CancelOutcome.NotFound, _) or (_, not [_]) => Problem.NotFound("job"),
            (CancelOutcome.Cancelled or CancelOutcome.AlreadyCancelled, [var row]) => TypedResults.Ok(row.ToDto()),
            _ => Problem.Conflict($"The job already {(outcome == CancelOutcome.AlreadySucceeded ? "succeeded" : "failed")}; re-score the recording to score it again."),
        };
    }

    private static async Task<Results<Accepted<JobDto>, Ok<JobDto>, ProblemHttpResult>> RescoreRecording(
        Guid id, RescoreRequest? request, [AsParameters] RescoreServices services, CancellationToken ct)
    {
        var (db, defaults, grains) = services;
        var studyId = await db.Recordings.AsNoTracking().Where(r => r.Id == id).Select(r => (Guid?)r.StudyId).SingleOrDefaultAsync(ct);
        if (studyId is null)
        {
            return Problem.NotFound("recording");
        }
        var bundle = await ResolveBundleAsync(request?.BundleId, db, defaults, ct);
        if (bundle is null)
        {
            return Problem.NotFound("bundle");
        }
        var outcome = await grains.GetGrain<IStudyGrain>(studyId.Value).RescoreAsync(bundle.Id, id);
        if (!outcome.RecordingFound)
        {
            return Problem.NotFound("recording");
        }
        if (outcome.QueuedJobIds is [var queued])
        {
            var job = await WithNames(db).SingleAsync(x => x.Job.Id == queued, ct);
            return TypedResults.Accepted($"/v1/jobs/{queued}", job.ToDto());
        }
        // Already queued or running with that bundle.
        var active = await WithNames(db).SingleAsync(x => x.Job.Id == outcome.ActiveJobId, ct);
        return TypedResults.Ok(active.ToDto());
    }

    private static async Task<Results<Accepted<RescoreStudyDto>, ProblemHttpResult>> RescoreStudy(
        Guid studyId, RescoreRequest? request, [AsParameters] RescoreServices services, CancellationToken ct)
    {
        var (db, defaults, grains) = services;
        if (!await db.Studies.AsNoTracking().AnyAsync(s => s.Id == studyId, ct))
        {
            return Problem.NotFound("study");
        }
        var bundle = await ResolveBundleAsync(request?.BundleId, db, defaults, ct);
        if (bundle is null)
        {
            return Problem.NotFound("bundle");
        }
        var outcome = await grains.GetGrain<IStudyGrain>(studyId).RescoreAsync(bundle.Id, null);
        return TypedResults.Accepted($"/v1/studies/{studyId}/jobs?state=queued", new RescoreStudyDto(bundle.Id, outcome.QueuedJobIds.Length, outcome.Skipped));
    }

    private static async Task<RegisteredBundle?> ResolveBundleAsync(Guid? bundleId, EmiDbContext db, DefaultBundle defaults, CancellationToken ct)
    {
        var id = bundleId ?? await defaults.GetIdAsync(ct);
        return await db.ModelBundles.AsNoTracking().SingleOrDefaultAsync(b => b.Id == id, ct);
    }
}
