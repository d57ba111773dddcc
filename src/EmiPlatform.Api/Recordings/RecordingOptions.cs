using System.ComponentModel.DataAnnotations;

namespace EmiPlatform.Api.Recordings;

public sealed class RecordingOptions
{
    public const string Section = "Recordings";

    /// <summary>Largest recording accepted, through the API or a direct upload (413 above).</summary>
    [Range(1, long.MaxValue)]
    public long MaxUploadBytes { get; set; } = 10L * 1024 * 1024 * 1024;

    /// <summary>How long a direct-upload (write SAS) URL stays valid.</summary>
    public TimeSpan DirectUploadLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The sweep leaves younger blobs alone: they may be uploads still in flight.</summary>
    public TimeSpan SweepGracePeriod { get; set; } = TimeSpan.FromHours(2);
}
