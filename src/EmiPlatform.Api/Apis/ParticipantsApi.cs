using System.Text.Json;
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
using Npgsql;
using Problem = EmiPlatform.Api.Problems.Problem;

namespace EmiPlatform.Api.Apis;

public static class ParticipantsApi
{
    public static RouteGroupBuilder MapParticipantsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/v1/studies/{studyId:guid}/participants").WithTags("Participants")
            .RequireAuthorization(Policies.TenantRead);
        group.MapGet("/", List);
        group.MapGet("/{participantId:guid}", Get);
        group.MapPost("/", Create).RequireAuthorization(Policies.TenantWrite);
        group.MapPut("/{participantId:guid}", Update).RequireAuthorization(Policies.TenantWrite);
        group.MapDelete("/{participantId:guid}", Delete).RequireAuthorization(Policies.TenantWrite);
        return group;
    }

    private static FieldErrors Validate(ParticipantRequest request)
    {
        var errors = new FieldErrors();
        errors.RequiredText("code", request.Code, Limits.CodeLength);
        if (request.Metadata is { } metadata && metadata.ValueKind != JsonValueKind.Null)
        {
            var raw = metadata.GetRawText();
            if (metadata.ValueKind != JsonValueKind.Object)
            {
                errors.Add("metadata", "must be a JSON object");
            }
            else if (raw.Length > Limits.MetadataBytes)
            {
                errors.Add("metadata", $"must be at most {Limits.MetadataBytes} characters of JSON");
            }
            else if (raw.Contains("\\u0000", StringComparison.Ordinal))
            {
                // PostgreSQL's jsonb cannot store NUL; refuse it here rather than fail in the database.
                errors.Add("metadata", "must not contain \\u0000");
            }
        }
        return errors;
    }

    private static JsonDocument? ToDocument(JsonElement? metadata) =>
        metadata is { ValueKind: JsonValueKind.Object } m ? JsonDocument.Parse(m.GetRawText()) : null;

    private static Task<bool> StudyExists(EmiDbContext db, Guid tenantId, Guid studyId, CancellationToken ct) =>
        db.Studies.AnyAsync(s => s.TenantId == tenantId && s.Id == studyId, ct);

    private static async Task<Results<Ok<Page<ParticipantDto>>, ProblemHttpResult>> List(
        Guid studyId, [AsParameters] PageQuery page, EmiDbContext db, CurrentTenant tenant, CancellationToken ct)
    {
        var errors = page.Validate();
        if (errors.Count > 0)
        {
            return Problem.Validation(errors);
        }
        if (!await StudyExists(db, tenant.Id, studyId, ct))
        {
            return Problem.NotFound("study");
        }
        var mine = db.Participants.AsNoTracking().Where(p => p.TenantId == tenant.Id && p.StudyId == studyId);
        var total = await mine.LongCountAsync(ct);
        var items = await mine.OrderBy(p => p.Code).Skip(page.Skip).Take(page.Size).ToListAsync(ct);
        return TypedResults.Ok(new Page<ParticipantDto>([.. items.Select(ParticipantDto.From)], page.Number, page.Size, total));
    }

    private static async Task<Results<Ok<ParticipantDto>, ProblemHttpResult>> Get(
        Guid studyId, Guid participantId, EmiDbContext db, CurrentTenant tenant, CancellationToken ct) =>
        await db.Participants.AsNoTracking().SingleOrDefaultAsync(p => p.TenantId == tenant.Id && p.StudyId == studyId && p.Id == participantId, ct) is { } participant
            ? TypedResults.Ok(ParticipantDto.From(participant))
            : Problem.NotFound("participant");

    private static async Task<Results<Created<ParticipantDto>, ProblemHttpResult>> Create(
        Guid studyId, ParticipantRequest request, EmiDbContext db, CurrentTenant tenant, TimeProvider clock, CancellationToken ct)
    {
        var errors = Validate(request);
        if (errors.Any)
        {
            return Problem.Validation(errors.ToDictionary());
        }
        if (!await StudyExists(db, tenant.Id, studyId, ct))
        {
            return Problem.NotFound("study");
        }
        var now = clock.GetUtcNow();
        var participant = new Participant
        {
            Id = Guid.CreateVersion7(now),
            TenantId = tenant.Id,
            StudyId = studyId,
            Code = request.Code!.Trim(),
            Metadata = ToDocument(request.Metadata),
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.Participants.Add(participant);
        if (!await TrySaveAsync(db, ct))
        {
            return DuplicateCode(participant.Code);
        }
        return TypedResults.Created($"/v1/studies/{studyId}/participants/{participant.Id}", ParticipantDto.From(participant));
    }

    private static async Task<Results<Ok<ParticipantDto>, ProblemHttpResult>> Update(
        Guid studyId, Guid participantId, ParticipantRequest request, EmiDbContext db, CurrentTenant tenant, TimeProvider clock, CancellationToken ct)
    {
        var errors = Validate(request);
        if (errors.Any)
        {
            return Problem.Validation(errors.ToDictionary());
        }
        var participant = await db.Participants.SingleOrDefaultAsync(p => p.TenantId == tenant.Id && p.StudyId == studyId && p.Id == participantId, ct);
        if (participant is null)
        {
            return Problem.NotFound("participant");
        }
        participant.Code = request.Code!.Trim();
        participant.Metadata = ToDocument(request.Metadata);
        participant.UpdatedAt = clock.GetUtcNow();
        return await TrySaveAsync(db, ct) ? TypedResults.Ok(ParticipantDto.From(participant)) : DuplicateCode(participant.Code);
    }

    /// <summary>Rows first (cascading to recordings), then every blob under the participant's prefix.</summary>
    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(
        Guid studyId, Guid participantId, EmiDbContext db, CurrentTenant tenant, IBlobStore blobs, CancellationToken ct)
    {
        if (await db.Participants.Where(p => p.TenantId == tenant.Id && p.StudyId == studyId && p.Id == participantId).ExecuteDeleteAsync(ct) == 0)
        {
            return Problem.NotFound("participant");
        }
        await blobs.DeletePrefixAsync(RecordingBlobs.ParticipantPrefix(tenant.Id, studyId, participantId), CancellationToken.None);
        return TypedResults.NoContent();
    }

    /// <summary>The unique index decides races between concurrent creates: exactly one wins, the others get 409.</summary>
    private static async Task<bool> TrySaveAsync(EmiDbContext db, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
            return true;
        }
        catch (DbUpdateException ex) when (ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            return false;
        }
    }

    private static ProblemHttpResult DuplicateCode(string code) =>
        Problem.Conflict($"A participant with code '{code}' already exists in this study.");
}
