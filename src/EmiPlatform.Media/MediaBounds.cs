using System.Globalization;

namespace EmiPlatform.Media;

/// <summary>
/// Refuses what a recording declares beyond <see cref="MediaLimits"/> before any decoder starts: a header is a few bytes,
/// and a tiny file that claims 60000×60000 frames, 5000 streams or 10000 hours would otherwise set ffmpeg allocating,
/// spawning and looping on the platform's account.
/// </summary>
internal static class MediaBounds
{
    public static void CheckStreamCount(string fileName, int streams, MediaLimits limits)
    {
        if (streams > limits.MaxStreams)
        {
            throw Refuse(fileName, $"it has {streams} streams; at most {limits.MaxStreams} are accepted");
        }
    }

    public static void CheckDuration(string fileName, double? seconds, MediaLimits limits)
    {
        if (seconds is { } s && (double.IsNaN(s) || s > limits.MaxDuration.TotalSeconds))
        {
            throw Refuse(fileName, $"it declares {s / 3600:0.##} h; at most {limits.MaxDuration.TotalHours:0.##} h are accepted");
        }
    }

    public static void CheckVideo(string fileName, int width, int height, double frameRate, MediaLimits limits)
    {
        if (width > limits.MaxFrameWidth || height > limits.MaxFrameHeight)
        {
            throw Refuse(fileName, $"it declares {width}×{height} frames; at most {limits.MaxFrameWidth}×{limits.MaxFrameHeight} are accepted");
        }
        if (frameRate > limits.MaxFrameRate)
        {
            throw Refuse(fileName, $"it declares {frameRate:0.##} frames per second; at most {limits.MaxFrameRate:0.##} are accepted");
        }
    }

    public static void CheckAudio(string fileName, int sampleRate, MediaLimits limits)
    {
        if (sampleRate > limits.MaxSampleRate)
        {
            throw Refuse(fileName, $"it declares {sampleRate} samples per second; at most {limits.MaxSampleRate} are accepted");
        }
    }

    /// <summary>The checks a stored probe (no stream count kept) can still take, before the worker decodes.</summary>
    public static void Check(MediaInfo media, MediaLimits limits)
    {
        var fileName = Path.GetFileName(media.Path);
        CheckDuration(fileName, media.Duration, limits);
        if (media.Video is { } v)
        {
            CheckDuration(fileName, v.Duration, limits);
            CheckVideo(fileName, v.Width, v.Height, v.AverageFrameRate > 0 ? v.AverageFrameRate : v.NominalFrameRate, limits);
        }
        if (media.Audio is { } a)
        {
            CheckDuration(fileName, a.Duration, limits);
            CheckAudio(fileName, a.SampleRate, limits);
        }
    }

    private static MediaDecodeException Refuse(string fileName, FormattableString why) => new(
        MediaErrorKind.OutOfBounds,
        $"'{fileName}' is beyond the platform's media limits: {why.ToString(CultureInfo.InvariantCulture)} (docs/api.md, media limits).");
}
