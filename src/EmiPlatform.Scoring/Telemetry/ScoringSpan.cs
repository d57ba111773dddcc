using System.Diagnostics;
using EmiPlatform.Data.Jobs;
using EmiPlatform.Inference.Scoring;
using EmiPlatform.Scoring.Jobs;
using EmiPlatform.Telemetry;

namespace EmiPlatform.Scoring.Telemetry;

/// <summary>
/// One job attempt as a span (<c>score recording</c>, a child of the MassTransit consume span, so in the trace of the
/// upload or re-score that queued the job) and the scoring metrics it yields: queue wait on a first claim, real-time
/// factor once the pipeline has scored. Without a listener there is no span, and the metrics are still recorded.
/// </summary>
public sealed class ScoringSpan : IDisposable
{
    public const string Name = "score recording";

    private readonly Activity? _activity;
    private readonly EmiMetrics _metrics;

    private ScoringSpan(Activity? activity, EmiMetrics metrics) => (_activity, _metrics) = (activity, metrics);

    public static ScoringSpan Start(Guid jobId, EmiMetrics metrics) =>
        new(EmiActivitySource.Instance.StartActivity(Name)?.SetTag(EmiTags.JobId, jobId.ToString()), metrics);

    public void Claimed(ClaimedJob job)
    {
        _activity?.SetTag(EmiTags.TenantId, job.TenantId.ToString())
            .SetTag(EmiTags.StudyId, job.StudyId.ToString())
            .SetTag(EmiTags.RecordingId, job.RecordingId.ToString())
            .SetTag(EmiTags.JobAttempt, job.Attempt)
            .SetTag(EmiTags.Worker, job.Worker);
        // Later attempts waited out a retry backoff, not the queue: only the first claim says how long a lab waited.
        if (job.Attempt == 1)
        {
            _metrics.RecordQueueWait(job.TenantId, job.Waited);
        }
    }

    public void Scored(ScoringResult result, TimeSpan scoring)
    {
        var factor = result.DurationSeconds > 0 ? scoring.TotalSeconds / result.DurationSeconds : (double?)null;
        _activity?.SetTag(EmiTags.BundleName, result.BundleName)
            .SetTag(EmiTags.BundleVersion, result.BundleVersion)
            .SetTag(EmiTags.ExecutionProvider, result.ExecutionProvider)
            .SetTag(EmiTags.Device, result.Device)
            .SetTag(EmiTags.MediaDuration, result.DurationSeconds)
            .SetTag(EmiTags.ScoringDuration, scoring.TotalSeconds)
            .SetTag(EmiTags.RealTimeFactor, factor)
            .SetTag(EmiTags.Windows, result.Windows.Count);
        if (factor is { } f)
        {
            _metrics.RecordRealTimeFactor(result.ExecutionProvider, f);
        }
    }

    public void Finished(JobOutcome outcome) => _activity?.SetTag(EmiTags.JobOutcome, Outcome(outcome.Kind));

    public void Failed(Exception exception) =>
        _activity?.SetStatus(ActivityStatusCode.Error, exception.Message).SetTag("error.type", exception.GetType().FullName);

    public void Dispose() => _activity?.Dispose();

    private static string Outcome(JobOutcomeKind kind) => kind switch
    {
        JobOutcomeKind.NotClaimed => "not_claimed",
        JobOutcomeKind.Succeeded => "succeeded",
        JobOutcomeKind.AttemptFailed => "attempt_failed",
        JobOutcomeKind.Abandoned => "abandoned",
        JobOutcomeKind.Released => "released",
        _ => kind.ToString(),
    };
}
