using EmiPlatform.Abstractions.Jobs;
using EmiPlatform.Api.Auth;
using EmiPlatform.Api.Dtos;
using EmiPlatform.Api.Paging;
using EmiPlatform.Api.Scoring;
using EmiPlatform.Contracts;
using EmiPlatform.Data;
using EmiPlatform.Data.Entities;
using EmiPlatform.Scoring.Bundles;
using EmiPlatform.Scoring.Hosting;
using EmiPlatform.Scoring.Jobs;
using MassTransit;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Problem = EmiPlatform.Api.Problems.Problem;

namespace EmiPlatform.Api.Apis;

/// <summary>
/// Scoring jobs of the caller's tenant: look at one, list a study's, cancel one, re-score a recording or a whole study
/// with a registered bundle. The jobs table is the source of truth; workers pick up what is written here.
/// </summary>
public static class JobsApi
{
    private static readonly JobState[] InFlight = [JobState.Queued, JobState.Running];

    public static IEndpointRouteBuilder MapJobsApi(this IEndpointRouteBuilder routes)
    {
        var jobs = routes.MapGroup("/v1/jobs").WithTags("Scoring jobs").RequireAuthorization(Policies.TenantRead);
        jobs.MapGet("/{id:guid}", Get);
        jobs.MapPost("/{id:guid}/cancel", Cancel).RequireAuthorization(Policies.TenantWrite)
            .WithDescription("A running job's worker notices within one heartbeat, stops its pipeline (and ffmpeg) and writes nothing.");

        var studies = routes.MapGroup("/v1/studies/{studyId:guid}").WithTags("Scoring jobs").RequireAuthorization(Policies.TenantRead);
        studies.MapGet("/jobs", ListOfStudy).WithDescription("Query: state (queued, running, succeeded, failed, cancelled), page, pageSize.");
        studies.MapPost("/rescore", RescoreStudy).RequireAuthorization(Policies.TenantWrite);

        routes.MapGroup("/v1/recordings").WithTags("Scoring jobs").RequireAuthorization(Policies.TenantRead)
            .MapPost("/{id:guid}/rescore", RescoreRecording).RequireAuthorization(Policies.TenantWrite);
        return routes;
    }

    private sealed class JobRow
    {
        public required ScoringJob Job { get; init; }
        public required RegisteredBundle Bundle { get; init; }
    }

    private static IQueryable<JobRow> WithBundles(EmiDbContext db, Guid tenantId) =>
        db.ScoringJobs.AsNoTracking().Where(j => j.TenantId == tenantId)
            .Join(db.ModelBundles.AsNoTracking(), j => j.BundleId, b => b.Id, (j, b) => new JobRow { Job = j, Bundle = b });

    private static async Task<Results<Ok<JobDto>, ProblemHttpResult>> Get(Guid id, EmiDbContext db, CurrentTenant tenant, CancellationToken ct)
    {
        var found = await WithBundles(db, tenant.Id).Where(x => x.Job.Id == id).ToListAsync(ct);
        return found is [var row] ? TypedResults.Ok(JobDto.From(row.Job, row.Bundle)) : Problem.NotFound("job");
    }

    private static async Task<Results<Ok<Page<JobDto>>, ProblemHttpResult>> ListOfStudy(
        Guid studyId, string? state, [AsParameters] PageQuery page, EmiDbContext db, CurrentTenant tenant, CancellationToken ct)
    {
        var errors = page.Validate();
        JobState? filter = null;
        if (state is not null)
        {
            if (Enum.TryParse<JobState>(state, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) && !int.TryParse(state, out _))
            {
                filter = parsed;
            }
            else
            {
                errors["state"] = ["must be one of queued, running, succeeded, failed, cancelled"];
            }
        }
        if (errors.Count > 0)
        {
            return Problem.Validation(errors);
        }
        if (!await db.Studies.AsNoTracking().AnyAsync(s => s.TenantId == tenant.Id && s.Id == studyId, ct))
        {
            return Problem.NotFound("study");
        }
        var query = WithBundles(db, tenant.Id).Where(x => x.Job.StudyId == studyId);
        if (filter is { } f)
        {
            query = query.Where(x => x.Job.State == f);
        }
        var total = await query.LongCountAsync(ct);
        var items = await query.OrderBy(x => x.Job.CreatedAt).ThenBy(x => x.Job.Id).Skip(page.Skip).Take(page.Size).ToListAsync(ct);
        return TypedResults.Ok(new Page<JobDto>([.. items.Select(x => JobDto.From(x.Job, x.Bundle))], page.Number, page.Size, total));
    }

    private static async Task<Results<Ok<JobDto>, ProblemHttpResult>> Cancel(
        Guid id, EmiDbContext db, CurrentTenant tenant, TimeProvider clock, IPublishEndpoint bus, ILoggerFactory logs, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var cancelled = await db.ScoringJobs
            .Where(j => j.TenantId == tenant.Id && j.Id == id && InFlight.Contains(j.State))
            .ExecuteUpdateAsync(s => s
                .SetProperty(j => j.State, JobState.Cancelled)
                .SetProperty(j => j.LeaseExpiresAt, (DateTimeOffset?)null)
                .SetProperty(j => j.FinishedAt, now)
                .SetProperty(j => j.UpdatedAt, now), ct);
        var found = await WithBundles(db, tenant.Id).Where(x => x.Job.Id == id).ToListAsync(ct);
        if (found is not [var row])
        {
            return Problem.NotFound("job");
        }
        var (job, bundle) = (row.Job, row.Bundle);
        if (cancelled == 1)
        {
            await AnnounceCancelAsync(job, bus, logs.CreateLogger(typeof(JobsApi).FullName!));
        }
        return cancelled == 1 || job.State == JobState.Cancelled
            ? TypedResults.Ok(JobDto.From(job, bundle))
            : Problem.Conflict($"The job already {(job.State == JobState.Succeeded ? "succeeded" : "failed")}; re-score the recording to score it again.");
    }

    private static async Task<Results<Accepted<JobDto>, Ok<JobDto>, ProblemHttpResult>> RescoreRecording(
        Guid id, RescoreRequest? request, EmiDbContext db, CurrentTenant tenant, DefaultBundle defaults, JobSignal signal,
        IOptions<ScoringWorkerOptions> scoring, TimeProvider clock, CancellationToken ct)
    {
        var recording = await db.Recordings.AsNoTracking().SingleOrDefaultAsync(r => r.TenantId == tenant.Id && r.Id == id, ct);
        if (recording is null)
        {
            return Problem.NotFound("recording");
        }
        var bundle = await ResolveBundleAsync(request?.BundleId, db, defaults, ct);
        if (bundle is null)
        {
            return Problem.NotFound("bundle");
        }
        var active = await db.ScoringJobs.AsNoTracking()
            .FirstOrDefaultAsync(j => j.TenantId == tenant.Id && j.RecordingId == id && j.BundleId == bundle.Id && InFlight.Contains(j.State), ct);
        if (active is not null)
        {
            return TypedResults.Ok(JobDto.From(active, bundle)); // already queued or running with that bundle
        }
        var job = ScoringJobs.Queued(recording, bundle.Id, scoring.Value.MaxAttempts, clock.GetUtcNow());
        db.ScoringJobs.Add(job);
        await db.SaveChangesAsync(ct);
        signal.Wake();
        return TypedResults.Accepted($"/v1/jobs/{job.Id}", JobDto.From(job, bundle));
    }

    private static async Task<Results<Accepted<RescoreStudyDto>, ProblemHttpResult>> RescoreStudy(
        Guid studyId, RescoreRequest? request, EmiDbContext db, CurrentTenant tenant, DefaultBundle defaults, JobSignal signal,
        IOptions<ScoringWorkerOptions> scoring, TimeProvider clock, CancellationToken ct)
    {
        if (!await db.Studies.AsNoTracking().AnyAsync(s => s.TenantId == tenant.Id && s.Id == studyId, ct))
        {
            return Problem.NotFound("study");
        }
        var bundle = await ResolveBundleAsync(request?.BundleId, db, defaults, ct);
        if (bundle is null)
        {
            return Problem.NotFound("bundle");
        }
        var recordings = await db.Recordings.AsNoTracking().Where(r => r.TenantId == tenant.Id && r.StudyId == studyId).ToListAsync(ct);
        var busy = (await db.ScoringJobs.AsNoTracking()
            .Where(j => j.TenantId == tenant.Id && j.StudyId == studyId && j.BundleId == bundle.Id && InFlight.Contains(j.State))
            .Select(j => j.RecordingId).ToListAsync(ct)).ToHashSet();
        var now = clock.GetUtcNow();
        var queued = recordings.Where(r => !busy.Contains(r.Id)).Select(r => ScoringJobs.Queued(r, bundle.Id, scoring.Value.MaxAttempts, now)).ToList();
        db.ScoringJobs.AddRange(queued);
        await db.SaveChangesAsync(ct);
        signal.Wake();
        return TypedResults.Accepted($"/v1/studies/{studyId}/jobs?state=queued", new RescoreStudyDto(bundle.Id, queued.Count, recordings.Count - queued.Count));
    }

    // The row is committed as cancelled: the announcement only lets a worker running the job stop now rather than at
    // its next heartbeat, so a broker that is away must not turn a done cancel into an error.
    private static async Task AnnounceCancelAsync(ScoringJob job, IPublishEndpoint bus, ILogger logger)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await bus.Publish(new ScoringJobCompleted(job.Id, job.TenantId, job.StudyId, job.RecordingId, job.BundleId, "cancelled",
                job.Attempts, null, job.FinishedAt ?? job.UpdatedAt), timeout.Token);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            logger.LogWarning(ex, "Could not announce the cancel of job {JobId}; its worker stops at its next heartbeat", job.Id);
        }
    }

    private static async Task<RegisteredBundle?> ResolveBundleAsync(Guid? bundleId, EmiDbContext db, DefaultBundle defaults, CancellationToken ct)
    {
        var id = bundleId ?? await defaults.GetIdAsync(ct);
        return await db.ModelBundles.AsNoTracking().SingleOrDefaultAsync(b => b.Id == id, ct);
    }
}
