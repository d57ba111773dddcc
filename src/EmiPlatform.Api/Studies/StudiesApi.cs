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
        group.MapGet("/", List);
        group.MapGet("/{id:guid}", Get);
        group.MapPost("/", Create).RequireAuthorization(Policies.TenantWrite);
        group.MapPut("/{id:guid}", Update).RequireAuthorization(Policies.TenantWrite);
        group.MapDelete("/{id:guid}", Delete).RequireAuthorization(Policies.TenantWrite);
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

    private static async Task<Results<Ok<StudyDto>, ProblemHttpResult>> Get(Guid id, EmiDbContext db, CancellationToken ct) =>
        await db.Studies.AsNoTracking().SingleOrDefaultAsync(s => s.Id == id, ct) is { } study
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
        Guid id, StudyRequest request, EmiDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var study = await db.Studies.SingleOrDefaultAsync(s => s.Id == id, ct);
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

    /// <summary>Rows first (cascading to participants and recordings), then every blob under the study's prefix.</summary>
    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(
        Guid id, EmiDbContext db, CurrentTenant tenant, IBlobStore blobs, CancellationToken ct)
    {
        if (await db.Studies.Where(s => s.Id == id).ExecuteDeleteAsync(ct) == 0)
        {
            return Problem.NotFound("study");
        }
        await blobs.DeletePrefixAsync(RecordingBlobs.StudyPrefix(tenant.Id, id), CancellationToken.None);
        return TypedResults.NoContent();
    }
}
