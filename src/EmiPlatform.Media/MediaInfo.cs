namespace EmiPlatform.Media;

/// <summary>What ffprobe says about a recording. Times are seconds on the container's clock.</summary>
public sealed record MediaInfo(string Path, string FormatName, double Duration, double StartTime, AudioStreamInfo? Audio, VideoStreamInfo? Video)
{
    public bool HasAudio => Audio is not null;

    public bool HasVideo => Video is not null;
}
