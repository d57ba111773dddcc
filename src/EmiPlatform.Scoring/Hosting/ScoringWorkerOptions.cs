using System.ComponentModel.DataAnnotations;

namespace EmiPlatform.Scoring.Hosting;

/// <summary>Configuration section <c>Scoring</c>: how a scoring silo runs and leases jobs (the default bundle is <c>BundleOptions</c>).</summary>
public sealed class ScoringWorkerOptions
{
    public const string Section = "Scoring";

    /// <summary>Pipelines run at once in this process; 0 picks one per GPU, or one per two CPU cores.</summary>
    [Range(0, 256)]
    public int Concurrency { get; set; }

    /// <summary>How long a worker owns a running job without renewing it; another worker takes over after that.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often a running job's lease is renewed, its progress written, and its cancellation noticed.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Wait before a failed attempt's retry, times the attempt number.</summary>
    public TimeSpan RetryBackoff { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The worker's name in job rows; empty = machine name and process id.</summary>
    public string? WorkerName { get; set; }

    /// <summary>Where recordings are downloaded for scoring; empty = the system temp directory.</summary>
    public string? TempDirectory { get; set; }

    public int EffectiveConcurrency(int gpuCount) =>
        Concurrency > 0 ? Concurrency : gpuCount > 0 ? gpuCount : Math.Max(1, Environment.ProcessorCount / 2);
}
