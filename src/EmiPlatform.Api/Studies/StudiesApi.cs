using EmiPlatform.Abstractions.Studies;
using EmiPlatform.Api.Auth;
using EmiPlatform.Api.Paging;
using EmiPlatform.Api.Recordings;
using EmiPlatform.Data;
using EmiPlatform.Data.Entities;
using EmiPlatform.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Problem = EmiPlatform.Api.Problems.Problem;

namespace EmiPlatform.Api.Studies;

public static class StudiesApi
{
    public static RouteGroupBuilder MapStudiesApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/v1/studies").WithTags("Studies").RequireAuthorization(Policies.TenantRead);
        group.MapGet("/", List).WithName("listStudies").WithSummary("List studies")
            .WithDescription("The tenant's studies, oldest first, a page at a time (page, pageSize ≤ 200).")
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        group.MapGet("/{studyId:guid}", Get).WithName("getStudy").WithSummary("Get a study")
            .WithDescription("One study of the tenant; another tenant's id is a 404.").ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/", Create).RequireAuthorization(Policies.TenantWrite).WithName("createStudy").WithSummary("Create a study")
            .WithDescription("Name: 1-200 characters; description: at most 4000 (newlines and tabs allowed).")
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        group.MapPut("/{studyId:guid}", Update).RequireAuthorization(Policies.TenantWrite).WithName("updateStudy").WithSummary("Replace a study's name and description")
            .WithDescription("The whole representation: an omitted description becomes null.")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        group.MapDelete("/{studyId:guid}", Delete).RequireAuthorization(Policies.TenantWrite).WithName("deleteStudy").WithSummary("Delete a study")
            .WithDescription("Its participants, recordings, jobs and results, then its blobs.").ProducesProblem(StatusCodes.Status404NotFound);
        return group;
    }

    private static async Task<Results<Ok<Page<StudyDto>>, ProblemHttpResult>> List(
        [AsParameters] PageQuery page, EmiDbContext db, CancellationToken ct)
    {
        var mine = db.Studies.AsNoTracking();
        var total = await mine.LongCountAsync(ct);
        var items = await mine.OrderBy(s => s.CreatedAt).ThenBy(s => s.Id).Skip(page.Skip).Take(page.Size).ToListAsync(ct);
        return TypedResults.Ok(new Page<StudyDto>([.. items.Select(StudyDto.From)], page.Number, page.Size, total));
    }

    private static async Task<Results<Ok<StudyDto>, ProblemHttpResult>> Get(Guid studyId, EmiDbContext db, CancellationToken ct) =>
        await db.Studies.AsNoTracking().SingleOrDefaultAsync(s => s.Id == studyId, ct) is { } study
            ? TypedResults.Ok(StudyDto.From(study))
            : Problem.NotFound("study");

    private static async Task<Results<Created<StudyDto>, ProblemHttpResult>> Create(
        StudyRequest request, EmiDbContext db, CurrentTenant tenant, TimeProvider clock, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var study = new Study
        {
            Id = Guid.CreateVersion7(now),
            TenantId = tenant.Id,
            Name = request.Name.Trim(),
            Description = request.Description,
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.Studies.Add(study);
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/v1/studies/{study.Id}", StudyDto.From(study));
    }

    private static async Task<Results<Ok<StudyDto>, ProblemHttpResult>> Update(
        Guid studyId, StudyRequest request, EmiDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var study = await db.Studies.SingleOrDefaultAsync(s => s.Id == studyId, ct);
        if (study is null)
        {
            return Problem.NotFound("study");
        }
        study.Name = request.Name.Trim();
        study.Description = request.Description;
        study.UpdatedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(StudyDto.From(study));
    }

    /// <summary>
    /// The study's grain erases the rows (jobs, recordings, participants, the study with its runs) and deactivates;
    /// every blob under the study's prefix goes after its commit.
    /// </summary>
    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(
        Guid studyId, EmiDbContext db, CurrentTenant tenant, IBlobStore blobs, IGrainFactory grains, CancellationToken ct)
    {
        // The tenant-scoped lookup keeps another tenant's study a 404; the grain acts for the study's tenant.
        if (!await db.Studies.AnyAsync(s => s.Id == studyId, ct) || !await grains.GetGrain<IStudyGrain>(studyId).DeleteStudyAsync())
        {
            return Problem.NotFound("study");
        }
        await blobs.DeletePrefixAsync(RecordingBlobs.StudyPrefix(tenant.Id, studyId), CancellationToken.None);
        return TypedResults.NoContent();
    }
}
