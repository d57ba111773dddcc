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
    /// After <c>complete</c> the URL can only write a staging blob, never the recording, and the sweep deletes one written then.
    /// </summary>
    public TimeSpan DirectUploadLifetime { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// Direct uploads a tenant may have open at once (started, neither completed nor expired): each is a write SAS and
    /// a reservation of its quota, so unbounded they would be unbounded staging (429 above).
    /// </summary>
    [Range(1, 10_000)]
    public int MaxOpenDirectUploads { get; set; } = 20;

    /// <summary>
    /// How long after its SAS expired an upload's staging blob is still left alone: storage checks the SAS by its own
    /// clock, so a write it let start just before the expiry by its clock may land a little after by ours.
    /// </summary>
    public TimeSpan DirectUploadExpiryMargin { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How often each API host deletes expired direct uploads with their staging blobs. Zero turns it off.</summary>
    public TimeSpan StagingSweepInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// The sweep leaves younger blobs alone: they may be uploads still being registered. Not staging blobs: an open
    /// direct upload's row says whether one is wanted.
    /// </summary>
    public TimeSpan SweepGracePeriod { get; set; } = TimeSpan.FromHours(2);

    /// <summary>
    /// How often each API host sweeps on its own: orphaned blobs past the grace period (a crash between a blob and its
    /// row) and staging blobs no open direct upload wants (expired, or written again after complete) are deleted; rows whose blob is gone are only logged, for the
    /// admin's <c>POST /v1/admin/storage/sweep?remove=true</c>. Zero turns the timer off.
    /// </summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromHours(1);
}
