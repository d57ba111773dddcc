using EmiPlatform.Api.Auth;
using EmiPlatform.Api.Dtos;
using EmiPlatform.Api.Paging;
using EmiPlatform.Api.Recordings;
using EmiPlatform.Api.Validation;
using EmiPlatform.Data;
using EmiPlatform.Data.Entities;
using EmiPlatform.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Problem = EmiPlatform.Api.Problems.Problem;

namespace EmiPlatform.Api.Apis;

public static class StudiesApi
{
    public static RouteGroupBuilder MapStudiesApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/v1/studies").WithTags("Studies").RequireAuthorization(Policies.TenantRead);
        group.MapGet("/", List);
        group.MapGet("/{studyId:guid}", Get);
        group.MapPost("/", Create).RequireAuthorization(Policies.TenantWrite);
        group.MapPut("/{studyId:guid}", Update).RequireAuthorization(Policies.TenantWrite);
        group.MapDelete("/{studyId:guid}", Delete).RequireAuthorization(Policies.TenantWrite);
        return group;
    }

    private static FieldErrors Validate(StudyRequest request)
    {
        var errors = new FieldErrors();
        errors.RequiredText("name", request.Name, Limits.NameLength);
        errors.OptionalText("description", request.Description, Limits.DescriptionLength, multiline: true);
        return errors;
    }

    private static async Task<Results<Ok<Page<StudyDto>>, ProblemHttpResult>> List(
        [AsParameters] PageQuery page, EmiDbContext db, CurrentTenant tenant, CancellationToken ct)
    {
        var errors = page.Validate();
        if (errors.Count > 0)
        {
            return Problem.Validation(errors);
        }
        var mine = db.Studies.AsNoTracking().Where(s => s.TenantId == tenant.Id);
        var total = await mine.LongCountAsync(ct);
        var items = await mine.OrderBy(s => s.CreatedAt).ThenBy(s => s.Id).Skip(page.Skip).Take(page.Size).ToListAsync(ct);
        return TypedResults.Ok(new Page<StudyDto>([.. items.Select(StudyDto.From)], page.Number, page.Size, total));
    }

    private static async Task<Results<Ok<StudyDto>, ProblemHttpResult>> Get(Guid studyId, EmiDbContext db, CurrentTenant tenant, CancellationToken ct) =>
        await db.Studies.AsNoTracking().SingleOrDefaultAsync(s => s.TenantId == tenant.Id && s.Id == studyId, ct) is { } study
            ? TypedResults.Ok(StudyDto.From(study))
            : Problem.NotFound("study");

    private static async Task<Results<Created<StudyDto>, ProblemHttpResult>> Create(
        StudyRequest request, EmiDbContext db, CurrentTenant tenant, TimeProvider clock, CancellationToken ct)
    {
        var errors = Validate(request);
        if (errors.Any)
        {
            return Problem.Validation(errors.ToDictionary());
        }
        var now = clock.GetUtcNow();
        var study = new Study
        {
            Id = Guid.CreateVersion7(now),
            TenantId = tenant.Id,
            Name = request.Name!.Trim(),
            Description = request.Description,
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.Studies.Add(study);
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/v1/studies/{study.Id}", StudyDto.From(study));
    }

    private static async Task<Results<Ok<StudyDto>, ProblemHttpResult>> Update(
        Guid studyId, StudyRequest request, EmiDbContext db, CurrentTenant tenant, TimeProvider clock, CancellationToken ct)
    {
        var errors = Validate(request);
        if (errors.Any)
        {
            return Problem.Validation(errors.ToDictionary());
        }
        var study = await db.Studies.SingleOrDefaultAsync(s => s.TenantId == tenant.Id && s.Id == studyId, ct);
        if (study is null)
        {
            return Problem.NotFound("study");
        }
        study.Name = request.Name!.Trim();
        study.Description = request.Description;
        study.UpdatedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(StudyDto.From(study));
    }

    /// <summary>Rows first (cascading to participants and recordings), then every blob under the study's prefix.</summary>
    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(
        Guid studyId, EmiDbContext db, CurrentTenant tenant, IBlobStore blobs, CancellationToken ct)
    {
        if (await db.Studies.Where(s => s.TenantId == tenant.Id && s.Id == studyId).ExecuteDeleteAsync(ct) == 0)
        {
            return Problem.NotFound("study");
        }
        await blobs.DeletePrefixAsync(RecordingBlobs.StudyPrefix(tenant.Id, studyId), CancellationToken.None);
        return TypedResults.NoContent();
    }
}
