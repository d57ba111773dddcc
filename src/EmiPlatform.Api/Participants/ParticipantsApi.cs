using System.Text.Json;
using EmiPlatform.Abstractions.Studies;
using EmiPlatform.Api.Auth;
using EmiPlatform.Api.Paging;
using EmiPlatform.Api.Recordings;
using EmiPlatform.Data;
using EmiPlatform.Data.Entities;
using EmiPlatform.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Problem = EmiPlatform.Api.Problems.Problem;

namespace EmiPlatform.Api.Participants;

public static class ParticipantsApi
{
    public static RouteGroupBuilder MapParticipantsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/v1/studies/{studyId:guid}/participants").WithTags("Participants")
            .RequireAuthorization(Policies.TenantRead);
        group.MapGet("/", List).WithName("listParticipants").WithSummary("List a study's participants")
            .WithDescription("By code, a page at a time (page, pageSize ≤ 200).")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        group.MapGet("/{participantId:guid}", Get).WithName("getParticipant").WithSummary("Get a participant")
            .WithDescription("One participant of the study.").ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/", Create).RequireAuthorization(Policies.TenantWrite).WithName("createParticipant").WithSummary("Create a participant")
            .WithDescription("Code: 1-100 characters, unique within the study (409 otherwise, also under concurrent creates); metadata: a JSON object of at most 16 KiB, or null.")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        group.MapPut("/{participantId:guid}", Update).RequireAuthorization(Policies.TenantWrite).WithName("updateParticipant").WithSummary("Replace a participant's code and metadata")
            .WithDescription("The whole representation: omitted metadata becomes null. A code another participant of the study has is a 409.")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        group.MapDelete("/{participantId:guid}", Delete).RequireAuthorization(Policies.TenantWrite).WithName("deleteParticipant").WithSummary("Delete a participant")
            .WithDescription("Its recordings, jobs and results, then its blobs.").ProducesProblem(StatusCodes.Status404NotFound);
        return group;
    }

    private static JsonDocument? ToDocument(JsonElement? metadata) =>
        metadata is { ValueKind: JsonValueKind.Object } m ? JsonDocument.Parse(m.GetRawText()) : null;

    private static Task<bool> StudyExists(EmiDbContext db, Guid studyId, CancellationToken ct) =>
        db.Studies.AnyAsync(s => s.Id == studyId, ct);

    private static async Task<Results<Ok<Page<ParticipantDto>>, ProblemHttpResult>> List(
        Guid studyId, [AsParameters] PageQuery page, EmiDbContext db, CancellationToken ct)
    {
        if (!await StudyExists(db, studyId, ct))
        {
            return Problem.NotFound("study");
        }
        var mine = db.Participants.AsNoTracking().Where(p => p.StudyId == studyId);
        var total = await mine.LongCountAsync(ct);
        var items = await mine.OrderBy(p => p.Code).Skip(page.Skip).Take(page.Size).ToListAsync(ct);
        return TypedResults.Ok(new Page<ParticipantDto>([.. items.Select(ParticipantDto.From)], page.Number, page.Size, total));
    }

    private static async Task<Results<Ok<ParticipantDto>, ProblemHttpResult>> Get(
        Guid studyId, Guid participantId, EmiDbContext db, CancellationToken ct) =>
        await db.Participants.AsNoTracking().SingleOrDefaultAsync(p => p.StudyId == studyId && p.Id == participantId, ct) is { } participant
            ? TypedResults.Ok(ParticipantDto.From(participant))
            : Problem.NotFound("participant");

    private static async Task<Results<Created<ParticipantDto>, ProblemHttpResult>> Create(
        Guid studyId, ParticipantRequest request, [AsParameters] ParticipantServices services, CancellationToken ct)
    {
        var (db, tenant, clock, _) = services;
        if (!await StudyExists(db, studyId, ct))
        {
            return Problem.NotFound("study");
        }
        var now = clock.GetUtcNow();
        var participant = new Participant
        {
            Id = Guid.CreateVersion7(now),
            TenantId = tenant.Id,
            StudyId = studyId,
            Code = request.Code.Trim(),
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
        Guid studyId, Guid participantId, ParticipantRequest request, [AsParameters] ParticipantServices services, CancellationToken ct)
    {
        var (db, _, clock, _) = services;
        var participant = await db.Participants.SingleOrDefaultAsync(p => p.StudyId == studyId && p.Id == participantId, ct);
        if (participant is null)
        {
            return Problem.NotFound("participant");
        }
        participant.Code = request.Code.Trim();
        participant.Metadata = ToDocument(request.Metadata);
        participant.UpdatedAt = clock.GetUtcNow();
        return await TrySaveAsync(db, ct) ? TypedResults.Ok(ParticipantDto.From(participant)) : DuplicateCode(participant.Code);
    }

    /// <summary>
    /// The study's grain erases the rows (it is their single writer: jobs, recordings, then the participant, ending a run
    /// left without jobs); every blob under the participant's prefix goes after its commit.
    /// </summary>
    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(
        Guid studyId, Guid participantId, [AsParameters] ParticipantServices services, IGrainFactory grains, CancellationToken ct)
    {
        var (db, tenant, _, blobs) = services;
        // The tenant-scoped lookup keeps another tenant's participant a 404; the grain acts for the study's tenant.
        if (!await db.Participants.AnyAsync(p => p.StudyId == studyId && p.Id == participantId, ct)
            || !await grains.GetGrain<IStudyGrain>(studyId).DeleteParticipantAsync(participantId))
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
