using Azure.Storage.Blobs.Models;
using Azure.Storage.Sas;
using EmiPlatform.Api.Scoring;
using EmiPlatform.Data;
using EmiPlatform.Data.Entities;
using EmiPlatform.Inference.Media;
using EmiPlatform.Scoring.Bundles;
using EmiPlatform.Scoring.Hosting;
using EmiPlatform.Scoring.Jobs;
using EmiPlatform.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;

namespace EmiPlatform.Api.Recordings;

/// <summary>
/// Turns a committed blob into a recording row: probe it, check it decodes to its end, insert the row (the database
/// enforces quota and per-participant uniqueness). On every path that does not end in a row the blob is deleted,
/// so a refused or failed upload leaves nothing behind. The recording's scoring job (default bundle) is inserted in the
/// same transaction as its row: a recording is never without its job, and no job exists for a refused upload.
/// </summary>
public sealed class RecordingRegistrar(
    EmiDbContext db, IBlobStore blobs, MediaTools tools, DefaultBundle defaultBundle, JobSignal jobs,
    IOptions<ScoringWorkerOptions> scoring, TimeProvider clock, ILogger<RecordingRegistrar> logger)
{
    // Long enough for ffprobe and a tail decode of any size of file; short enough to be useless if it leaked.
    private static readonly TimeSpan ProbeSasLifetime = TimeSpan.FromMinutes(15);

    /// <summary>Quota violation raised by the recordings_track_usage trigger (migrations/0002).</summary>
    private const string QuotaExceededSqlState = "EMIQ1";

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
                var url = await blobs.GetSasUriAsync(blobName, BlobSasPermissions.Read, ProbeSasLifetime, cancellationToken);
                info = await MediaProbe.ProbeAsync(url, fileName, tools, cancellationToken);
                await MediaIntegrity.VerifyEndAsync(url.AbsoluteUri, fileName, tools, cancellationToken);
            }
            catch (MediaDecodeException ex) when (ex.Kind is not MediaErrorKind.ToolMissing)
            {
                return Refuse(ex.Kind is MediaErrorKind.Unreadable or MediaErrorKind.NoStreams
                    ? RecordingProblems.NotMedia(ex.Message)
                    : RecordingProblems.Corrupt(ex.Message));
            }

            var row = new Recording
            {
                Id = recordingId,
                TenantId = participant.TenantId,
                StudyId = participant.StudyId,
                ParticipantId = participant.Id,
                Stimulus = metadata.Stimulus,
                Trial = metadata.Trial,
                OriginalFileName = fileName,
                ContentType = string.IsNullOrWhiteSpace(metadata.ContentType) ? "application/octet-stream" : metadata.ContentType,
                SizeBytes = length,
                Sha256 = sha256,
                BlobName = blobName,
                DurationSeconds = info.Duration,
                FormatName = info.FormatName,
                AudioCodec = info.Audio?.Codec,
                SampleRate = info.Audio?.SampleRate,
                AudioChannels = info.Audio?.Channels,
                VideoCodec = info.Video?.Codec,
                Width = info.Video?.Width,
                Height = info.Video?.Height,
                FrameRate = info.Video?.AverageFrameRate,
                Rotation = info.Video?.Rotation,
                Media = StoredMediaInfo.Serialize(info),
                CreatedAt = clock.GetUtcNow(),
            };
            var job = ScoringJobs.Queued(row, await defaultBundle.GetIdAsync(cancellationToken), scoring.Value.MaxAttempts, row.CreatedAt);
            db.Recordings.Add(row);
            db.ScoringJobs.Add(job);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateException ex) when (ex.InnerException is PostgresException { SqlState: QuotaExceededSqlState })
            {
                db.Entry(job).State = EntityState.Detached;
                db.Entry(row).State = EntityState.Detached;
                return Refuse(RecordingProblems.QuotaExceeded());
            }
            catch (DbUpdateException ex) when (ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
            {
                // The same bytes for the same participant won a race with this upload: answer with that recording.
                db.Entry(job).State = EntityState.Detached;
                db.Entry(row).State = EntityState.Detached;
                var winner = await FindAsync(participant.Id, sha256, cancellationToken)
                    ?? throw new InvalidOperationException("Unique violation without a matching recording.", ex);
                keep = winner.BlobName == blobName;
                return new Outcome(new RecordingDtoResult(winner, Created: false), null);
            }
            keep = true;
            jobs.Wake();
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
