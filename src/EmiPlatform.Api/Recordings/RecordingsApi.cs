using Azure;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Sas;
using EmiPlatform.Abstractions.Studies;
using EmiPlatform.Abstractions.Tenants;
using EmiPlatform.Api.Auth;
using EmiPlatform.Api.Database;
using EmiPlatform.Api.OpenApi;
using EmiPlatform.Api.Problems;
using EmiPlatform.Data;
using EmiPlatform.Data.Entities;
using EmiPlatform.Storage;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using BlobUploadOptions = EmiPlatform.Storage.BlobUploadOptions;
using Problem = EmiPlatform.Api.Problems.Problem;

namespace EmiPlatform.Api.Recordings;

/// <summary>
/// Recordings of a participant: a streamed upload (the request body goes straight into staged blocks), or a direct
/// upload to blob storage through a write SAS followed by <c>complete</c>. Both end in <see cref="RecordingRegistrar"/>.
/// </summary>
public static class RecordingsApi
{
    /// <summary>A content link is followed at once; the download itself may take long, but the SAS is checked when it starts.</summary>
    private static readonly TimeSpan DownloadLifetime = TimeSpan.FromMinutes(10);

    public static IEndpointRouteBuilder MapRecordingsApi(this IEndpointRouteBuilder routes)
    {
        var ofParticipant = routes.MapGroup("/v1/studies/{studyId:guid}/participants/{participantId:guid}/recordings")
            .WithTags("Recordings").RequireAuthorization(Policies.TenantRead);
        ofParticipant.MapGet("/", List).WithName("listParticipantRecordings").WithSummary("List a participant's recordings")
            .WithDescription("Oldest first, with what ffprobe found in each (duration, streams, codecs, rates).").ProducesProblem(StatusCodes.Status404NotFound);
        // No content-type filter: labs' files come in every container; ffprobe decides what is media.
        ofParticipant.MapPost("/", Upload).RequireAuthorization(Policies.TenantWrite).WithName("uploadRecording").WithSummary("Upload a recording (streamed)")
            .WithDescription("The request body is the file's bytes (any audio/video Content-Type, stored with the recording); stimulus, trial " +
                "and fileName travel in the query. Send Expect: 100-continue so a refused upload is refused before its body travels. " +
                "201 with the new recording, or 200 with the existing one when the participant already has these exact bytes.")
            .AddOpenApiOperationTransformer(StreamedResponses.RecordingUploadBody)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType).ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        ofParticipant.MapPost("/uploads", StartDirectUpload).RequireAuthorization(Policies.TenantWrite)
            .WithName("startDirectUpload").WithSummary("Start a direct upload to blob storage")
            .WithDescription("Answers a short-lived write SAS URL: PUT the file there (x-ms-blob-type: BlockBlob, or Put Block + Put Block List), then POST completeUrl. " +
                "The body is optional: sizeBytes declares the file's size, which the upload reserves of the tenant's storage quota until it is completed or " +
                "expires (without it, Recordings:MaxUploadBytes is reserved), and complete refuses a larger blob. " +
                "413 quota-exceeded when the reservation does not fit the quota; 429 too-many-uploads when the tenant has Recordings:MaxOpenDirectUploads open.")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        ofParticipant.MapPost("/uploads/{recordingId:guid}/complete", CompleteDirectUpload).RequireAuthorization(Policies.TenantWrite)
            .WithName("completeDirectUpload").WithSummary("Complete a direct upload")
            .WithDescription("Copies the uploaded blob to the recording's own name, hashes and probes it, and registers the recording (201; 200 when " +
                "completed before or the bytes are a duplicate). Before the blob is committed: 409 upload-incomplete.")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity).ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        var byId = routes.MapGroup("/v1/recordings").WithTags("Recordings").RequireAuthorization(Policies.TenantRead);
        byId.MapGet("/{id:guid}", Get).WithName("getRecording").WithSummary("Get a recording")
            .WithDescription("One recording of the tenant with its probed media facts.").ProducesProblem(StatusCodes.Status404NotFound);
        byId.MapGet("/{id:guid}/content", Download).WithName("getRecordingContent").WithSummary("Download a recording's bytes")
            .WithDescription("A 302 whose Location is a 10-minute read SAS URL of the recording's blob: the bytes come from storage, not through the API, as an attachment named after the uploaded file, typed as the declared audio/ or video/ type or else application/octet-stream.")
            .AddOpenApiOperationTransformer(StreamedResponses.ContentRedirect).ProducesProblem(StatusCodes.Status404NotFound);
        byId.MapGet("/{id:guid}/content-link", ContentLink).WithName("getRecordingContentLink").WithSummary("Get a link to a recording's bytes")
            .WithDescription("The 10-minute read SAS URL that content redirects to, as JSON, for clients that cannot follow a redirect with the key " +
                "(a browser's media element): the dashboard's player loads it.").ProducesProblem(StatusCodes.Status404NotFound);
        byId.MapDelete("/{id:guid}", Delete).RequireAuthorization(Policies.TenantWrite).WithName("deleteRecording").WithSummary("Delete a recording")
            .WithDescription("Its row with its jobs and results, then its blob.")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return routes;
    }

    private static Task<Participant?> FindParticipantAsync(EmiDbContext db, Guid studyId, Guid participantId, CancellationToken ct) =>
        db.Participants.AsNoTracking().SingleOrDefaultAsync(p => p.StudyId == studyId && p.Id == participantId, ct);

    private static async Task<Results<Ok<List<RecordingDto>>, ProblemHttpResult>> List(
        Guid studyId, Guid participantId, EmiDbContext db, CancellationToken ct)
    {
        if (await FindParticipantAsync(db, studyId, participantId, ct) is null)
        {
            return Problem.NotFound("participant");
        }
        var rows = await db.Recordings.AsNoTracking().Where(r => r.ParticipantId == participantId)
            .OrderBy(r => r.CreatedAt).ToListAsync(ct);
        return TypedResults.Ok(rows.Select(RecordingDto.From).ToList());
    }

    /// <summary>
    /// Streams the body into blob storage: memory stays at block size × parallelism whatever the file size. Metadata
    /// travels in the query (stimulus, trial, fileName) so the body is only the file's bytes.
    /// </summary>
    private static async Task<Results<Created<RecordingDto>, Ok<RecordingDto>, ProblemHttpResult>> Upload(
        Guid studyId, Guid participantId, [AsParameters] UploadQuery query, HttpRequest request,
        [AsParameters] RecordingServices services, CancellationToken ct)
    {
        var (db, tenant, blobs, registrar, grains, options, clock) = services;
        // The body's Content-Type is the file's; a header is not a field the validation filter sees.
        if (request.ContentType is { } type && (type.Length > Limits.NameLength || type.Any(char.IsControl)))
        {
            return Problem.Validation(new Dictionary<string, string[]>
            {
                ["contentType"] = [$"must be at most {Limits.NameLength} characters, without control characters"],
            });
        }
        var metadata = new RecordingMetadata(query.Stimulus, query.Trial, query.FileName, request.ContentType);
        var participant = await FindParticipantAsync(db, studyId, participantId, ct);
        if (participant is null)
        {
            return Problem.NotFound("participant");
        }
        var max = options.Value.MaxUploadBytes;
        if (request.ContentLength > max)
        {
            return RecordingProblems.TooLarge(max);
        }
        // The tenant's grain admits the upload before a byte is stored; the registration's trigger stays the last word.
        var admission = await grains.GetGrain<ITenantGrain>(tenant.Id).AdmitUploadAsync(request.ContentLength ?? 0);
        switch (admission.Refusal)
        {
            case UploadRefusal.QuotaExceeded:
                return RecordingProblems.QuotaExceeded();
            case UploadRefusal.TenantSuspended:
                return RecordingProblems.TenantSuspended();
        }
        var recordingId = Guid.CreateVersion7(clock.GetUtcNow());
        // Held until the row is written or the upload failed; taken before the body is read, so a refused upload stores nothing.
        var (slot, _) = await UploadSlot.TryTakeAsync(grains, tenant.Id, recordingId);
        await using var held = slot;
        if (slot is null)
        {
            return RecordingProblems.TooManyUploads(request.HttpContext.Response); // the id is new: only the limit refuses it
        }
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = max + 1; // one byte over lets BlobStore see and name the overflow itself
        }

        var blobName = RecordingBlobs.Name(tenant.Id, studyId, participantId, recordingId);
        BlobUploadResult uploaded;
        try
        {
            uploaded = await blobs.UploadAsync(blobName, request.Body,
                new BlobUploadOptions { ContentType = metadata.ContentType, MaxLength = max, Overwrite = false }, ct);
        }
        catch (BlobContentTooLargeException)
        {
            return RecordingProblems.TooLarge(max);
        }
        return ToResult(await registrar.RegisterAsync(participant, recordingId, blobName, uploaded.Length, uploaded.Sha256, metadata,
            BlobOnFailure.Delete, ct));
    }

    /// <summary>
    /// Opens a direct upload: its row (one of the tenant's <see cref="RecordingOptions.MaxOpenDirectUploads"/>, reserving
    /// its declared size, else <see cref="RecordingOptions.MaxUploadBytes"/>, of the quota) is committed before the SAS
    /// exists, so every staging blob the sweep finds was written for a row it can read.
    /// </summary>
    private static async Task<Results<Ok<DirectUploadDto>, ProblemHttpResult>> StartDirectUpload(
        Guid studyId, Guid participantId, StartUploadRequest? request, [AsParameters] RecordingServices services, HttpResponse response,
        CancellationToken ct)
    {
        var (db, tenant, blobs, _, grains, options, clock) = services;
        if (await FindParticipantAsync(db, studyId, participantId, ct) is null)
        {
            return Problem.NotFound("participant");
        }
        var max = options.Value.MaxUploadBytes;
        var declared = request?.SizeBytes;
        if (declared > max)
        {
            return RecordingProblems.TooLarge(max);
        }
        var now = clock.GetUtcNow();
        var lifetime = options.Value.DirectUploadLifetime;
        var upload = new DirectUpload
        {
            RecordingId = Guid.CreateVersion7(now),
            TenantId = tenant.Id,
            StudyId = studyId,
            ParticipantId = participantId,
            DeclaredBytes = declared,
            ReservedBytes = declared ?? max,
            CreatedAt = now,
            ExpiresAt = now + lifetime,
        };
        // The tenant's grain does the quota arithmetic for every upload; asked under the cap's lock, it sees every
        // reservation committed before this one, so uploads started side by side cannot together overrun the quota.
        var admission = UploadAdmission.Admitted;
        var maxOpen = options.Value.MaxOpenDirectUploads;
        var outcome = await TenantCap.TryAddAsync(db, "direct_uploads", tenant.Id, db.DirectUploads.Open(), maxOpen,
            async _ => (admission = await grains.GetGrain<ITenantGrain>(tenant.Id).AdmitUploadAsync(upload.ReservedBytes)).IsAdmitted,
            () => db.DirectUploads.Add(upload), ct);
        switch (outcome)
        {
            case TenantCapOutcome.AtCap:
                var expiries = await db.DirectUploads.Open().Select(u => u.ExpiresAt).ToListAsync(ct);
                return RecordingProblems.TooManyOpenUploads(response, expiries.Count, maxOpen, expiries.Count > 0 ? expiries.Min() : null, now);
            case TenantCapOutcome.Declined:
                return admission.Refusal is UploadRefusal.TenantSuspended
                    ? RecordingProblems.TenantSuspended()
                    : RecordingProblems.ReservationExceedsQuota(upload.ReservedBytes, declared is not null);
        }
        // Create + Write on the staging name only: enough for Put Blob or Put Block + Put Block List, nothing else.
        var url = await blobs.GetSasUriAsync(RecordingBlobs.StagingName(tenant.Id, studyId, participantId, upload.RecordingId),
            BlobSasPermissions.Create | BlobSasPermissions.Write, lifetime, ct);
        return TypedResults.Ok(new DirectUploadDto(upload.RecordingId, url, upload.ExpiresAt,
            $"/v1/studies/{studyId}/participants/{participantId}/recordings/uploads/{upload.RecordingId}/complete", declared, upload.ReservedBytes));
    }

    /// <summary>
    /// Registers a blob the client uploaded through its write SAS. The names are derived from the caller's tenant, so one
    /// tenant can never complete (or even name) another's upload. The store promotes the staging blob to the recording's
    /// own name, which no SAS can write (<see cref="IBlobStore.PromoteAsync"/>): the SHA-256 is computed from the
    /// recording's bytes and stored with them, so what the row records is what the worker will find.
    /// </summary>
    private static async Task<Results<Created<RecordingDto>, Ok<RecordingDto>, ProblemHttpResult>> CompleteDirectUpload(
        Guid studyId, Guid participantId, Guid recordingId, CompleteUploadRequest request, [AsParameters] RecordingServices services, HttpResponse response,
        CancellationToken ct)
    {
        var (db, tenant, blobs, registrar, grains, options, _) = services;
        var metadata = new RecordingMetadata(request.Stimulus, request.Trial, request.FileName, request.ContentType);
        var participant = await FindParticipantAsync(db, studyId, participantId, ct);
        if (participant is null)
        {
            return Problem.NotFound("participant");
        }
        if (await db.Recordings.AsNoTracking().SingleOrDefaultAsync(r => r.Id == recordingId, ct) is { } done)
        {
            await CloseUploadAsync(db, recordingId); // completing twice is harmless, and closes an upload a lost answer left open
            return TypedResults.Ok(RecordingDto.From(done));
        }
        // Completing copies, hashes and probes the whole file: it counts as an upload in progress, and the slot is the
        // upload's own, so repeats of one complete run one at a time (across API hosts) instead of each doing it all.
        // Refused, the staging blob stays for a later complete.
        var (slot, grant) = await UploadSlot.TryTakeAsync(grains, tenant.Id, recordingId);
        await using var held = slot;
        switch (grant)
        {
            case UploadSlotGrant.AllHeld:
                return RecordingProblems.TooManyUploads(response);
            case UploadSlotGrant.AlreadyHeld:
                return RecordingProblems.CompleteInProgress(response);
        }
        // A complete that held the slot until just now may have written the row.
        if (await db.Recordings.AsNoTracking().SingleOrDefaultAsync(r => r.Id == recordingId, ct) is { } finished)
        {
            await CloseUploadAsync(db, recordingId);
            return TypedResults.Ok(RecordingDto.From(finished));
        }
        // Expired or not, the staged bytes are the lab's: complete works while the blob is there (the sweep takes an
        // expired one). An upload with no row left is held to the largest recording accepted.
        var declared = await db.DirectUploads.AsNoTracking().Where(u => u.RecordingId == recordingId).Select(u => u.DeclaredBytes).SingleOrDefaultAsync(ct);
        var blobName = RecordingBlobs.Name(tenant.Id, studyId, participantId, recordingId);
        BlobPromotion promotion;
        try
        {
            promotion = await blobs.PromoteAsync(RecordingBlobs.StagingName(tenant.Id, studyId, participantId, recordingId),
                blobName, declared ?? options.Value.MaxUploadBytes, ct);
        }
        catch (RequestFailedException ex) when (ex.Status is StatusCodes.Status409Conflict or StatusCodes.Status412PreconditionFailed)
        {
            // Storage saw another promotion of these blobs (a complete whose slot lapsed in a silo failover): it wins.
            return RecordingProblems.CompleteInProgress(response);
        }
        // With the staging blob gone, an earlier complete promoted it and stopped before its row (the client hung up):
        // the store carried on from there.
        switch (promotion.Status)
        {
            case BlobPromotionStatus.NotStaged:
                return Problem.Create(StatusCodes.Status409Conflict, ProblemTypes.UploadIncomplete, "Upload incomplete",
                    "No committed blob exists for this upload: PUT the file to the upload URL (committing its block list) first. " +
                    "An expired upload's staged blob is deleted by the storage sweep; start a new upload then.");
            case BlobPromotionStatus.TooLarge:
                return declared is { } size ? RecordingProblems.LargerThanDeclared(size) : RecordingProblems.TooLarge(options.Value.MaxUploadBytes);
        }
        var hashed = promotion.Hash!;
        // Kept when this request fails or is abandoned: the promoted blob is the upload's only copy, and a repeat of
        // complete carries on from it.
        var outcome = await registrar.RegisterAsync(participant, recordingId, blobName, hashed.Length, hashed.Sha256,
            metadata with { ContentType = metadata.ContentType ?? promotion.ContentType }, BlobOnFailure.Keep, ct);
        // Registered (or the bytes were already a recording): the upload's slot and reservation go; from now on a blob
        // written through its SAS is an orphan. Refused, it stays open: the client may PUT another file and complete again.
        if (outcome.Recording is not null)
        {
            await CloseUploadAsync(db, recordingId);
        }
        return ToResult(outcome);
    }

    /// <summary>Not the request's token: the recording is registered, so its upload must not stay open because the client left.</summary>
    private static Task CloseUploadAsync(EmiDbContext db, Guid recordingId) =>
        db.DirectUploads.Where(u => u.RecordingId == recordingId).ExecuteDeleteAsync(CancellationToken.None);

    private static async Task<Results<Ok<RecordingDto>, ProblemHttpResult>> Get(Guid id, EmiDbContext db, CancellationToken ct) =>
        await db.Recordings.AsNoTracking().SingleOrDefaultAsync(r => r.Id == id, ct) is { } row
            ? TypedResults.Ok(RecordingDto.From(row))
            : Problem.NotFound("recording");

    /// <summary>A short-lived read SAS, so large downloads go straight from storage instead of through the API.</summary>
    private static async Task<Results<SasRedirectResult, ProblemHttpResult>> Download(
        Guid id, EmiDbContext db, IBlobStore blobs, CancellationToken ct)
    {
        var row = await db.Recordings.AsNoTracking().Where(r => r.Id == id)
            .Select(r => new { r.BlobName, r.ContentType, r.OriginalFileName }).SingleOrDefaultAsync(ct);
        return row is null
            ? Problem.NotFound("recording")
            : new SasRedirectResult(await blobs.GetSasUriAsync(row.BlobName, BlobSasPermissions.Read, DownloadLifetime, ct,
                ServedContentType.Download(row.ContentType, row.OriginalFileName)));
    }

    private static async Task<Results<Ok<ContentLinkDto>, ProblemHttpResult>> ContentLink(
        Guid id, EmiDbContext db, IBlobStore blobs, TimeProvider clock, CancellationToken ct)
    {
        var row = await db.Recordings.AsNoTracking().Where(r => r.Id == id)
            .Select(r => new { r.BlobName, r.ContentType }).SingleOrDefaultAsync(ct);
        var expiresAt = clock.GetUtcNow() + DownloadLifetime;
        return row is null
            ? Problem.NotFound("recording")
            : TypedResults.Ok(new ContentLinkDto(await blobs.GetSasUriAsync(row.BlobName, BlobSasPermissions.Read, DownloadLifetime, ct,
                ServedContentType.Inline(row.ContentType)), expiresAt));
    }

    /// <summary>Row first (the recording is gone for everyone at once), then the blob; a failure between them is the sweep's to find.</summary>
    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(
        Guid id, EmiDbContext db, IBlobStore blobs, IGrainFactory grains, CancellationToken ct)
    {
        var studyId = await db.Recordings.AsNoTracking().Where(r => r.Id == id).Select(r => (Guid?)r.StudyId).SingleOrDefaultAsync(ct);
        // The study's grain erases the row (and its jobs and results with it); the blob goes after the commit.
        if (studyId is null || await grains.GetGrain<IStudyGrain>(studyId.Value).EraseRecordingAsync(id) is not { } blobName)
        {
            return Problem.NotFound("recording");
        }
        await blobs.Container.GetBlobClient(blobName).DeleteIfExistsAsync(DeleteSnapshotsOption.IncludeSnapshots, cancellationToken: CancellationToken.None);
        // Its cached backbone features live under its name; their rows went with the recording's (ON DELETE CASCADE).
        await new FeatureCacheBlobs(blobs).DeleteForRecordingAsync(blobName, CancellationToken.None);
        return TypedResults.NoContent();
    }

    private static Results<Created<RecordingDto>, Ok<RecordingDto>, ProblemHttpResult> ToResult(RecordingRegistrar.Outcome outcome) =>
        outcome switch
        {
            { Problem: { } problem } => problem,
            { Recording: { Created: true } r } => TypedResults.Created($"/v1/recordings/{r.Row.Id}", RecordingDto.From(r.Row)),
            { Recording: { } r } => TypedResults.Ok(RecordingDto.From(r.Row)),
            _ => throw new InvalidOperationException("A registration outcome has a recording or a problem."),
        };
}
