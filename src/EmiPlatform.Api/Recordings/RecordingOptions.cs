using System.ComponentModel.DataAnnotations;

namespace EmiPlatform.Api.Recordings;

public sealed class RecordingOptions
{
    public const string Section = "Recordings";

    /// <summary>Largest recording accepted, through the API or a direct upload (413 above).</summary>
    [Range(1, long.MaxValue)]
    public long MaxUploadBytes { get; set; } = 10L * 1024 * 1024 * 1024;

    /// <summary>
    /// How long a direct-upload (write SAS) URL stays valid. The service checks a SAS when each request starts, so this
    /// must cover the transfer up to its last Put Block / Put Block List: 15 minutes carry the 10 GB limit at 12 MB/s.
    /// After <c>complete</c> the URL is useless anyway: it names a staging blob, never the recording.
    /// </summary>
    public TimeSpan DirectUploadLifetime { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>The sweep leaves younger blobs alone: they may be uploads still in flight.</summary>
    public TimeSpan SweepGracePeriod { get; set; } = TimeSpan.FromHours(2);

    /// <summary>
    /// How often each API host sweeps on its own: orphaned blobs past the grace period (abandoned or re-written direct
    /// uploads, a crash between a blob and its row) are deleted; rows whose blob is gone are only logged, for the
    /// admin's <c>POST /v1/admin/storage/sweep?remove=true</c>. Zero turns the timer off.
    /// </summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromHours(1);
}
