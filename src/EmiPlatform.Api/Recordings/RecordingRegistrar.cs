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

namespace EmiPlatform.Api.Recordings;

/// <summary>
/// Turns a committed blob into a recording row: probe it, check it decodes to its end, register it (the database
/// enforces quota and per-participant uniqueness). On every path that does not end in a row the blob is deleted,
/// so a refused or failed upload leaves nothing behind. The study's grain inserts the row and its scoring job
/// (default bundle) in one transaction: a recording is never without its job, and no job exists for a refused upload.
/// </summary>
public sealed class RecordingRegistrar(
    EmiDbContext db, IBlobStore blobs, MediaTools tools, DefaultBundle defaultBundle, IGrainFactory grains, EmiMetrics metrics, ILogger<RecordingRegistrar> logger)
{
    // Long enough for ffprobe and a tail decode of any size of file; short enough to be useless if it leaked.
    private static readonly TimeSpan ProbeSasLifetime = TimeSpan.FromMinutes(15);

    public sealed record Outcome(RecordingDtoResult? Recording, ProblemHttpResult? Problem);

    public sealed record RecordingDtoResult(Recording Row, bool Created);

    public async Task<Outcome> RegisterAsync(
        Participant participant, Guid recordingId, string blobName, long length, string sha256, RecordingMetadata metadata,
        CancellationToken cancellationToken)
    {
        var keep = false;
        try
        {
            if (length == 0)
            {
                return Refuse(RecordingProblems.Empty());
            }
            if (await FindAsync(participant.Id, sha256, cancellationToken) is { } existing)
            {
                // Another registration of this very blob (a racing complete) must not delete what its row points at.
                keep = existing.BlobName == blobName;
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
            // Not the request's token: once asked, the study grain finishes the registration even if the client hangs up.
            var outcome = await grains.GetGrain<IStudyGrain>(participant.StudyId).RegisterRecordingAsync(registration);
            switch (outcome.Result)
            {
                case RegistrationResult.QuotaExceeded:
                    return Refuse(RecordingProblems.QuotaExceeded());
                case RegistrationResult.Duplicate:
                    var winner = await db.Recordings.AsNoTracking().SingleAsync(r => r.Id == outcome.RecordingId, CancellationToken.None);
                    keep = winner.BlobName == blobName;
                    return new Outcome(new RecordingDtoResult(winner, Created: false), null);
            }
            var row = await db.Recordings.AsNoTracking().SingleAsync(r => r.Id == recordingId, CancellationToken.None);
            keep = true;
            metrics.RecordUpload(participant.TenantId, length);
            return new Outcome(new RecordingDtoResult(row, Created: true), null);
        }
        finally
        {
            if (!keep)
            {
                await DeleteQuietlyAsync(blobName);
            }
        }
    }

    private static Outcome Refuse(ProblemHttpResult problem) => new(null, problem);

    private Task<Recording?> FindAsync(Guid participantId, string sha256, CancellationToken cancellationToken) =>
        db.Recordings.AsNoTracking().SingleOrDefaultAsync(r => r.ParticipantId == participantId && r.Sha256 == sha256, cancellationToken);

    private async Task DeleteQuietlyAsync(string blobName)
    {
        try
        {
            // Not the request's token: a client that hung up must still not leave its blob behind.
            await blobs.Container.GetBlobClient(blobName).DeleteIfExistsAsync(DeleteSnapshotsOption.IncludeSnapshots, cancellationToken: CancellationToken.None);
        }
        catch (Exception ex) when (ex is Azure.RequestFailedException or HttpRequestException or IOException)
        {
            // The sweep (POST /v1/admin/storage/sweep) finds blobs without rows; log so operators know to run it.
            logger.LogError(ex, "Could not delete refused upload blob {BlobName}; the storage sweep will find it", blobName);
        }
    }
}
