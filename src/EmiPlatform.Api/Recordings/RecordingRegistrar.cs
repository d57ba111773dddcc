using System.Data.Common;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Sas;
using EmiPlatform.Abstractions.Studies;
using EmiPlatform.Bundles;
using EmiPlatform.Data;
using EmiPlatform.Data.Entities;
using EmiPlatform.Media;
using EmiPlatform.Storage;
using EmiPlatform.Telemetry;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Orleans.Runtime;

namespace EmiPlatform.Api.Recordings;

/// <summary>
/// Turns a committed blob into a recording row: probe it, check it decodes to its end, register it (the database
/// enforces quota and per-participant uniqueness). The study's grain inserts the row and its scoring job (default
/// bundle) in one transaction: a recording is never without its job, and no job exists for a refused upload.
/// A blob is deleted only when the platform knows no row refers to it: on a refusal (after checking that no row names
/// the blob), and on a failure before the grain was asked when nothing could register it later
/// (<see cref="BlobOnFailure"/>). When the grain was asked and its answer was lost (a timeout, a lost silo), the row is
/// read: there, the upload succeeded; not there, the outcome is unknown (the grain may still commit), so the blob is
/// left for its row or for the storage sweep.
/// </summary>
public sealed class RecordingRegistrar(
    EmiDbContext db, IBlobStore blobs, MediaTools tools, DefaultBundle defaultBundle, IGrainFactory grains, EmiMetrics metrics, ILogger<RecordingRegistrar> logger)
{
    // Long enough for ffprobe and a tail decode of any size of file; short enough to be useless if it leaked.
    private static readonly TimeSpan ProbeSasLifetime = TimeSpan.FromMinutes(15);

    public sealed record Outcome(RecordingDtoResult? Recording, ProblemHttpResult? Problem);

    public sealed record RecordingDtoResult(Recording Row, bool Created);

    private enum Fate
    {
        /// <summary>Refused, or a duplicate of another blob: no row refers to this one.</summary>
        Refused,

        /// <summary>A row refers to it.</summary>
        Kept,

        /// <summary>Not answered (an exception): <see cref="BlobOnFailure"/> decides.</summary>
        Failed,

        /// <summary>The grain was asked and its answer lost: a row may yet refer to it.</summary>
        Unknown,
    }

    public async Task<Outcome> RegisterAsync(
        Participant participant, Guid recordingId, string blobName, long length, string sha256, RecordingMetadata metadata,
        BlobOnFailure onFailure, CancellationToken cancellationToken)
    {
        var fate = Fate.Failed;
        try
        {
            if (length == 0)
            {
                fate = Fate.Refused;
                return Refuse(RecordingProblems.Empty());
            }
            if (await FindAsync(participant.Id, sha256, cancellationToken) is { } existing)
            {
                // Another registration of this very blob (a racing complete) must not delete what its row points at.
                fate = existing.BlobName == blobName ? Fate.Kept : Fate.Refused;
                return new Outcome(new RecordingDtoResult(existing, Created: false), null);
            }

            var fileName = FileNames.Sanitize(metadata.FileName);
            MediaInfo info;
            try
            {
                // Read over the SAS with its own protocol only, and only as one of the accepted containers (MediaSource).
                var source = MediaSource.Http(
                    await blobs.GetSasUriAsync(blobName, BlobSasPermissions.Read, ProbeSasLifetime, cancellationToken), fileName);
                info = await MediaProbe.ProbeAsync(source, tools, cancellationToken);
                await MediaIntegrity.VerifyEndAsync(source, info, tools, cancellationToken);
            }
            catch (MediaDecodeException ex) when (ex.Kind is not MediaErrorKind.ToolMissing)
            {
                fate = Fate.Refused;
                return Refuse(ex.Kind switch
                {
                    MediaErrorKind.Unreadable or MediaErrorKind.NoStreams => RecordingProblems.NotMedia(ex.Message),
                    MediaErrorKind.OutOfBounds => RecordingProblems.OutOfBounds(ex.Message),
                    _ => RecordingProblems.Corrupt(ex.Message),
                });
            }

            var registration = new RecordingRegistration(recordingId, participant.Id, await defaultBundle.GetIdAsync(cancellationToken),
                metadata.Stimulus, metadata.Trial, fileName,
                string.IsNullOrWhiteSpace(metadata.ContentType) ? "application/octet-stream" : metadata.ContentType,
                length, sha256, blobName,
                new RecordingMedia(info.Duration, info.FormatName, info.Audio?.Codec, info.Audio?.SampleRate, info.Audio?.Channels,
                    info.Video?.Codec, info.Video?.Width, info.Video?.Height, info.Video?.AverageFrameRate, info.Video?.Rotation,
                    StoredMediaInfo.Serialize(info)));
            RegistrationOutcome outcome;
            fate = Fate.Unknown;
            try
            {
                // Not the request's token: once asked, the study grain finishes the registration even if the client hangs up.
                outcome = await grains.GetGrain<IStudyGrain>(participant.StudyId).RegisterRecordingAsync(registration);
            }
            catch (Exception ex) when (ex is TimeoutException or SiloUnavailableException or OrleansMessageRejectionException)
            {
                // The grain may have committed before its answer was lost: the row says whether it did.
                if (await db.Recordings.AsNoTracking().SingleOrDefaultAsync(r => r.Id == recordingId, CancellationToken.None) is not { } committed)
                {
                    logger.LogWarning(ex, "Registration of {BlobName} has no answer and no row yet; its blob is left for the row or the storage sweep", blobName);
                    throw;
                }
                outcome = new RegistrationOutcome(RegistrationResult.Created, committed.Id, null);
            }
            switch (outcome.Result)
            {
                case RegistrationResult.QuotaExceeded:
                    fate = Fate.Refused;
                    return Refuse(RecordingProblems.QuotaExceeded());
                case RegistrationResult.Duplicate:
                    var winner = await db.Recordings.AsNoTracking().SingleAsync(r => r.Id == outcome.RecordingId, CancellationToken.None);
                    fate = winner.BlobName == blobName ? Fate.Kept : Fate.Refused;
                    return new Outcome(new RecordingDtoResult(winner, Created: false), null);
            }
            var row = await db.Recordings.AsNoTracking().SingleAsync(r => r.Id == recordingId, CancellationToken.None);
            fate = Fate.Kept;
            metrics.RecordUpload(participant.TenantId, length);
            return new Outcome(new RecordingDtoResult(row, Created: true), null);
        }
        finally
        {
            if (fate is Fate.Refused || (fate is Fate.Failed && onFailure is BlobOnFailure.Delete))
            {
                await DeleteUnlessReferencedAsync(blobName);
            }
        }
    }

    private static Outcome Refuse(ProblemHttpResult problem) => new(null, problem);

    private Task<Recording?> FindAsync(Guid participantId, string sha256, CancellationToken cancellationToken) =>
        db.Recordings.AsNoTracking().SingleOrDefaultAsync(r => r.ParticipantId == participantId && r.Sha256 == sha256, cancellationToken);

    private async Task DeleteUnlessReferencedAsync(string blobName)
    {
        try
        {
            // Not the request's token: a client that hung up must still not leave its blob behind. The row is read first:
            // a concurrent registration of this very blob (a repeat of complete) may have written one.
            if (await db.Recordings.AsNoTracking().AnyAsync(r => r.BlobName == blobName, CancellationToken.None))
            {
                return;
            }
            await blobs.Container.GetBlobClient(blobName).DeleteIfExistsAsync(DeleteSnapshotsOption.IncludeSnapshots, cancellationToken: CancellationToken.None);
        }
        catch (Exception ex) when (ex is Azure.RequestFailedException or HttpRequestException or IOException or DbException or TimeoutException)
        {
            // The sweep (POST /v1/admin/storage/sweep) finds blobs without rows; log so operators know to run it.
            logger.LogError(ex, "Could not delete refused upload blob {BlobName}; the storage sweep will find it", blobName);
        }
    }
}
