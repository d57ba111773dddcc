using System.Diagnostics.Metrics;

namespace EmiPlatform.Telemetry;

/// <summary>
/// The platform's own instruments on the meter <c>EmiPlatform</c>, named and united as OpenTelemetry's semantic
/// conventions ask (seconds for durations, <c>By</c> for bytes, <c>1</c> for ratios, annotations in braces for
/// counts). docs/operations.md lists each with its attributes and its Prometheus name. Created through the host's
/// <see cref="IMeterFactory"/>, so each host (and each test host) has its own meter.
/// </summary>
public sealed class EmiMetrics
{
    public const string MeterName = "EmiPlatform";

    // Queued jobs wait from seconds (an idle cluster) to hours (a tenant's backlog behind its fair share).
    private static readonly double[] WaitBuckets = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200];

    // Scoring seconds per media second: CUDA scores far below 0.1, CPU around 0.1-1, above 1 falls behind real time.
    private static readonly double[] RealTimeFactorBuckets = [0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 5];

    private readonly Counter<long> _uploadSize;
    private readonly Counter<long> _exportRows;
    private readonly Histogram<double> _queueWait;
    private readonly Histogram<double> _realTimeFactor;

    public EmiMetrics(IMeterFactory meters)
    {
        Meter = meters.Create(MeterName);
        _uploadSize = Meter.CreateCounter<long>("emi.upload.size", "By", "Bytes of the recordings registered, by tenant.");
        _exportRows = Meter.CreateCounter<long>("emi.export.rows", "{row}", "CSV rows written by study exports, by tenant and format.");
        _queueWait = Meter.CreateHistogram("emi.job.queue.duration", "s",
            "From a job's creation to its first claim by a scoring silo: fair-share hold-back and transport together.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = WaitBuckets });
        _realTimeFactor = Meter.CreateHistogram("emi.scoring.real_time_factor", "1",
            "Seconds spent decoding and scoring per second of media, by execution provider (below 1: faster than real time).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = RealTimeFactorBuckets });
    }

    public Meter Meter { get; }

    public void RecordUpload(Guid tenantId, long bytes) => _uploadSize.Add(bytes, new KeyValuePair<string, object?>(EmiTags.TenantId, tenantId.ToString()));

    public void RecordExportRows(Guid tenantId, string format, long rows) =>
        _exportRows.Add(rows, new KeyValuePair<string, object?>(EmiTags.TenantId, tenantId.ToString()), new KeyValuePair<string, object?>(EmiTags.ExportFormat, format));

    public void RecordQueueWait(Guid tenantId, TimeSpan wait) =>
        _queueWait.Record(Math.Max(wait.TotalSeconds, 0), new KeyValuePair<string, object?>(EmiTags.TenantId, tenantId.ToString()));

    public void RecordRealTimeFactor(string executionProvider, double factor) =>
        _realTimeFactor.Record(factor, new KeyValuePair<string, object?>(EmiTags.ExecutionProvider, executionProvider));

    /// <summary>The <c>emi.jobs</c> gauge: its owner (the host that counts jobs in PostgreSQL) says what it observes.</summary>
    public ObservableGauge<long> ObserveJobs(Func<IEnumerable<Measurement<long>>> observe) =>
        Meter.CreateObservableGauge("emi.jobs", observe, "{job}", "Scoring jobs by tenant and state, as PostgreSQL holds them.");
}
