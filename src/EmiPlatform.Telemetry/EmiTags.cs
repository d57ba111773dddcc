namespace EmiPlatform.Telemetry;

/// <summary>Attribute names of the platform's spans and metrics, under the <c>emi.</c> namespace (OpenTelemetry's naming rules).</summary>
public static class EmiTags
{
    public const string TenantId = "emi.tenant.id";
    public const string StudyId = "emi.study.id";
    public const string RecordingId = "emi.recording.id";
    public const string JobId = "emi.job.id";
    public const string JobState = "emi.job.state";
    public const string JobAttempt = "emi.job.attempt";
    public const string JobOutcome = "emi.job.outcome";
    public const string Worker = "emi.worker";
    public const string BundleName = "emi.bundle.name";
    public const string BundleVersion = "emi.bundle.version";
    public const string ExecutionProvider = "emi.scoring.execution_provider";
    public const string Device = "emi.scoring.device";
    public const string MediaDuration = "emi.media.duration";
    public const string ScoringDuration = "emi.scoring.duration";
    public const string RealTimeFactor = "emi.scoring.real_time_factor";
    public const string Windows = "emi.timeline.windows";
    public const string ExportFormat = "emi.export.format";
}
