using System.ComponentModel.DataAnnotations;

namespace EmiPlatform.Media;

/// <summary>
/// Configuration section <c>Media</c>: what a recording may declare and what decoding it may cost (docs/api.md, "What is
/// refused"). A hostile file of a hundred bytes can claim any size in its header, so every declared figure ffprobe
/// reports is checked before a decoder starts, and every ffmpeg / ffprobe child runs under a wall-clock limit, a CPU-time
/// limit (RLIMIT_CPU) and a memory limit (RLIMIT_DATA: heap, anonymous mappings and thread stacks).
/// </summary>
public sealed class MediaLimits
{
    public const string Section = "Media";

    [Range(16, 65535)]
    public int MaxFrameWidth { get; set; } = 8192;

    [Range(16, 65535)]
    public int MaxFrameHeight { get; set; } = 8192;

    /// <summary>Streams of every kind (audio, video, subtitles, data, attachments) in one file.</summary>
    [Range(1, 1000)]
    public int MaxStreams { get; set; } = 16;

    [Range(typeof(TimeSpan), "00:00:01", "365.00:00:00")]
    public TimeSpan MaxDuration { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Frames per second of a video stream (its average rate, its nominal one where there is no average).</summary>
    [Range(1, 100_000)]
    public double MaxFrameRate { get; set; } = 480;

    [Range(1000, 10_000_000)]
    public int MaxSampleRate { get; set; } = 384_000;

    /// <summary>Wall-clock limit of one ffprobe run and of the upload's tail check.</summary>
    [Range(typeof(TimeSpan), "00:00:00.1", "7.00:00:00")]
    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>CPU time (all threads) of one ffprobe run and of the tail check; whole seconds, at least 1.</summary>
    [Range(typeof(TimeSpan), "00:00:00.1", "7.00:00:00")]
    public TimeSpan ProbeCpuTime { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Wall-clock limit of one decode: this plus <see cref="DecodeTimeoutPerMediaSecond"/> per second of declared media.
    /// A decoder is paced by the model reading its output, so this is generous; the CPU limit is the tight one.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.1", "7.00:00:00")]
    public TimeSpan DecodeTimeout { get; set; } = TimeSpan.FromMinutes(10);

    [Range(0, 1000)]
    public double DecodeTimeoutPerMediaSecond { get; set; } = 10;

    /// <summary>CPU time of one decode: this plus <see cref="DecodeCpuPerMediaSecond"/> per second of declared media.</summary>
    [Range(typeof(TimeSpan), "00:00:00.1", "7.00:00:00")]
    public TimeSpan DecodeCpuTime { get; set; } = TimeSpan.FromSeconds(60);

    [Range(0, 1000)]
    public double DecodeCpuPerMediaSecond { get; set; } = 4;

    /// <summary>Private writable memory of one ffmpeg / ffprobe child (RLIMIT_DATA).</summary>
    [Range(32L * 1024 * 1024, long.MaxValue)]
    public long MaxMemoryBytes { get; set; } = 2L * 1024 * 1024 * 1024;

    /// <summary>
    /// What ffprobe may answer about one file (JSON of the few fields the platform reads): a few KiB for any real
    /// recording, so a file whose answer is longer (megabytes of a tag the probe reads) is refused before the API host
    /// holds it.
    /// </summary>
    [Range(4 * 1024, 64 * 1024 * 1024)]
    public int MaxProbeOutputBytes { get; set; } = 1024 * 1024;

    internal ProcessBudget ProbeBudget => new(ProbeTimeout, ProbeCpuTime, MaxMemoryBytes);

    internal ProcessBudget DecodeBudget(double mediaSeconds)
    {
        var seconds = Math.Clamp(mediaSeconds, 0, MaxDuration.TotalSeconds);
        return new ProcessBudget(
            DecodeTimeout + TimeSpan.FromSeconds(seconds * DecodeTimeoutPerMediaSecond),
            DecodeCpuTime + TimeSpan.FromSeconds(seconds * DecodeCpuPerMediaSecond),
            MaxMemoryBytes);
    }
}
