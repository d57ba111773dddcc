using System.Diagnostics;
using EmiPlatform.Abstractions.Jobs;
using EmiPlatform.Bundles;
using EmiPlatform.Contracts;
using EmiPlatform.Data;
using EmiPlatform.Data.Jobs;
using EmiPlatform.Inference.Scoring;
using EmiPlatform.Media;
using EmiPlatform.Scoring.Features;
using EmiPlatform.Scoring.Hosting;
using EmiPlatform.Scoring.Telemetry;
using EmiPlatform.Scoring.Timelines;
using EmiPlatform.Storage;
using EmiPlatform.Telemetry;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace EmiPlatform.Scoring.Jobs;

/// <summary>
/// Runs one job attempt: claim it, download its recording to a temporary file (hashing it: bytes that are not the
/// registered ones fail the job at once with <see cref="RecordingChangedException"/>), score it (with the probe stored at
/// upload, so no ffprobe runs again) while a heartbeat renews the lease, then write the timeline and mark it succeeded
/// in one transaction. A cancel announced on the bus (<see cref="RunningAttempts"/>) or noticed by the heartbeat, and a
/// takeover noticed by the heartbeat, stop the pipeline (which kills its ffmpeg); such an attempt writes nothing.
/// </summary>
public sealed class JobRunner(
    JobStore store,
    BundleRegistry bundles,
    IBlobStore blobs,
    IScoringPipeline pipeline,
    TimelineWriter writer,
    WorkerIdentity identity,
    RunningAttempts running,
    StudyReports reports,
    IOptions<ScoringWorkerOptions> options,
    IHostApplicationLifetime lifetime,
    EmiMetrics metrics,
    EmiDataSources database,
    ILogger<JobRunner> logger)
{
    public async Task<JobOutcome> RunAsync(Guid jobId, CancellationToken messageCancellation)
    {
        using var span = ScoringSpan.Start(jobId, metrics);
        try
        {
            var outcome = await RunAttemptAsync(jobId, span, messageCancellation);
            span.Finished(outcome);
            return outcome;
        }
        catch (Exception ex)
        {
            span.Failed(ex);
            throw;
        }
    }

    private async Task<JobOutcome> RunAttemptAsync(Guid jobId, ScoringSpan span, CancellationToken messageCancellation)
    {
        var settings = options.Value;
        var job = await store.ClaimAsync(jobId, identity.Name, settings.LeaseDuration, messageCancellation);
        if (job is null)
        {
            // Information, not Debug: a redelivery that did nothing is what an operator (and the tests) look for after a fault.
            logger.LogInformation("Job {JobId} is not queued any more; message dropped", jobId);
            return JobOutcome.NotClaimed;
        }
        span.Claimed(job);
        logger.LogInformation("Job {JobId} attempt {Attempt}/{Max} started on {Worker} ({Placement})", job.Id, job.Attempt, job.MaxAttempts, job.Worker, pipeline.Placement);
        reports.Changed(job);

        // Only the host's shutdown stops an attempt from outside: a broker reconnect must not abort a job that can
        // still finish (its ack may be lost; the redelivery then finds the job done and is dropped).
        var stopping = lifetime.ApplicationStopping;
        using var abort = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        using var tracked = running.Track(job.Id, abort);
        using var heartbeatStop = new CancellationTokenSource();
        var progress = new LatestProgress();
        var heartbeat = HeartbeatAsync(job, progress, abort, heartbeatStop.Token);
        string? file = null;
        try
        {
            var bundle = await bundles.LoadAsync(job.BundleId, abort.Token);
            file = await DownloadAsync(job, settings, abort.Token);
            var scoring = Stopwatch.GetTimestamp();
            // Each backbone's features of the recording are cached under it: a later score with the same backbone runs the head only.
            var scoringOptions = new ScoringOptions { FeatureCache = new JobFeatureCache(job, database, new FeatureCacheBlobs(blobs), logger), RecordingSha256 = job.Sha256.Trim() };
            var result = StoredMediaInfo.Deserialize(job.Media, file) is { } media
                ? await pipeline.ScoreAsync(media, bundle, scoringOptions, progress, abort.Token)
                : await pipeline.ScoreAsync(file, bundle, scoringOptions, progress, abort.Token);
            span.Scored(result, Stopwatch.GetElapsedTime(scoring));
            if (!await writer.WriteAsync(job, bundle, result, abort.Token))
            {
                logger.LogInformation("Job {JobId} was cancelled or taken over before its results were written; nothing written", job.Id);
                return new JobOutcome(JobOutcomeKind.Abandoned);
            }
            logger.LogInformation("Job {JobId} succeeded: {Windows} windows, {Duration:F1} s, provider {Provider} on {Device} ({Slots} slot(s))",
                job.Id, result.Windows.Count, result.DurationSeconds, result.ExecutionProvider, result.Device, settings.EffectiveConcurrency(pipeline.Placement.CudaDevices.Count));
            var finished = new FinishedJob(job.Id, job.TenantId, job.StudyId, job.RecordingId, job.BundleId, JobStates.Succeeded, job.Attempt, null, DateTimeOffset.UtcNow);
            return new JobOutcome(JobOutcomeKind.Succeeded, finished,
                new RecordingScored(job.Id, job.TenantId, job.RecordingId, job.BundleId, bundle.Name, bundle.Version, result.Windows.Count, result.DurationSeconds));
        }
        catch (OperationCanceledException) when (abort.IsCancellationRequested)
        {
            if (stopping.IsCancellationRequested)
            {
                var released = await store.ReleaseAsync(job, CancellationToken.None);
                logger.LogInformation("Job {JobId} {How} while this worker stops", job.Id, released ? "given back to the queue" : "was no longer ours");
                return new JobOutcome(JobOutcomeKind.Released);
            }
            logger.LogInformation("Job {JobId} was cancelled or taken over; its pipeline was stopped and nothing was written", job.Id);
            return new JobOutcome(JobOutcomeKind.Abandoned);
        }
        catch (Exception ex) when (ex is RecordingChangedException or MediaDecodeException { Kind: MediaErrorKind.NoFaceSeen })
        {
            span.Failed(ex);
            var error = JobErrors.InLabsWords(ex.Message, TempPath(job, settings), job.FileName);
            var finished = await store.FailPermanentlyAsync(job, error, CancellationToken.None);
            logger.LogError("Job {JobId} failed without retry: {Error}", job.Id, error);
            return new JobOutcome(JobOutcomeKind.AttemptFailed, finished);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            span.Failed(ex);
            var error = JobErrors.InLabsWords(ex is MediaDecodeException ? ex.Message : $"{ex.GetType().Name}: {ex.Message}",
                TempPath(job, settings), job.FileName);
            var finished = await store.FailAttemptAsync(job, error, settings.RetryBackoff, CancellationToken.None);
            logger.LogWarning(ex, "Job {JobId} attempt {Attempt}/{Max} failed; job is now {State}", job.Id, job.Attempt, job.MaxAttempts, finished?.State ?? "not ours");
            return new JobOutcome(JobOutcomeKind.AttemptFailed, finished?.State == JobStates.Failed ? finished : null);
        }
        finally
        {
            await heartbeatStop.CancelAsync();
            await heartbeat;
            reports.Changed(job);
            if (file is not null)
            {
                File.Delete(file);
            }
        }
    }

    private async Task HeartbeatAsync(ClaimedJob job, LatestProgress progress, CancellationTokenSource abort, CancellationToken stop)
    {
        var settings = options.Value;
        using var timer = new PeriodicTimer(settings.HeartbeatInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                try
                {
                    if (!await store.HeartbeatAsync(job, progress.Fraction, settings.LeaseDuration, stop))
                    {
                        await abort.CancelAsync();
                        return;
                    }
                    reports.Progress(job, progress.Fraction);
                }
                catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
                {
                    // A database blip: keep scoring. If the lease runs out meanwhile, the final write sees it and writes nothing.
                    logger.LogWarning(ex, "Heartbeat of job {JobId} failed; retrying", job.Id);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // the attempt is over
        }
    }

    private async Task<string> DownloadAsync(ClaimedJob job, ScoringWorkerOptions settings, CancellationToken cancellationToken)
    {
        // The pipeline needs a seekable local file (an mp4's index may sit at its end); streamed, never held in memory.
        var path = TempPath(job, settings);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        try
        {
            BlobHash hashed;
            await using (var target = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
            {
                hashed = await blobs.DownloadAndHashAsync(job.BlobName, target, cancellationToken);
            }
            // The hash of the very bytes the pipeline will read: a blob changed after registration is not scored.
            if (!string.Equals(hashed.Sha256, job.Sha256.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                throw new RecordingChangedException(job.BlobName, job.Sha256.Trim(), hashed.Sha256);
            }
        }
        catch
        {
            File.Delete(path);
            throw;
        }
        return path;
    }

    /// <summary>Where an attempt's copy of the recording goes: a name of ours, never the lab's (which may be anything).</summary>
    private static string TempPath(ClaimedJob job, ScoringWorkerOptions settings)
    {
        var folder = string.IsNullOrWhiteSpace(settings.TempDirectory) ? Path.GetTempPath() : settings.TempDirectory;
        return Path.GetFullPath(Path.Combine(folder, $"emi-job-{job.Id:N}-{job.Attempt}{SafeExtension(job.FileName)}"));
    }

    private static string SafeExtension(string fileName)
    {
        var extension = Path.GetExtension(fileName);
        return extension.Length is > 1 and <= 10 && extension.Skip(1).All(char.IsAsciiLetterOrDigit) ? extension : ".bin";
    }
}
