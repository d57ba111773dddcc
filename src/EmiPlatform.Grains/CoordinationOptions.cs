using System.ComponentModel.DataAnnotations;

namespace EmiPlatform.Grains;

/// <summary>Configuration section <c>Coordination</c>: how the tenant and study grains queue, release and reconcile jobs.</summary>
public sealed class CoordinationOptions
{
    public const string Section = "Coordination";

    /// <summary>Attempts before a job fails with its last error.</summary>
    [Range(1, 100)]
    public int MaxAttempts { get; set; } = 3;

    /// <summary>A released job whose message has not been consumed for this long is released again (a lost message loses no job).</summary>
    public TimeSpan RedispatchAfter { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// How often a grain with work in flight looks at PostgreSQL again: the tenant grain for slots freed by reports
    /// that never arrived, the study grain for expired leases and its run's completion.
    /// </summary>
    public TimeSpan ReconcileInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>A tenant's share when the cluster advertises no scoring slots yet (no scoring silo has joined).</summary>
    [Range(1, 10_000)]
    public int MinimumShare { get; set; } = 1;

    /// <summary>
    /// Uploads (streamed, or a direct upload's <c>complete</c>) a tenant may have in progress at once, across all API
    /// hosts: each holds blocks in memory, a database connection and an ffprobe. Over it: 429 <c>too-many-uploads</c>.
    /// </summary>
    [Range(1, 10_000)]
    public int MaxConcurrentUploads { get; set; } = 8;

    /// <summary>
    /// An upload slot not renewed for this long is free again (its API host died). Holders renew every
    /// 10 s, so this must be a few times that.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:30", "1.00:00:00")]
    public TimeSpan UploadSlotLease { get; set; } = TimeSpan.FromMinutes(1);
}
