namespace EmiPlatform.Media;

/// <summary>
/// Where ffmpeg and ffprobe are, and the <see cref="MediaLimits"/> every run of them obeys. Defaults to the executables on
/// PATH; EMI_FFMPEG / EMI_FFPROBE override them (a deployment may ship its own static build).
/// </summary>
public sealed record MediaTools(string Ffmpeg, string Ffprobe, MediaLimits Limits)
{
    public static MediaTools FromEnvironment(MediaLimits? limits = null) => new(
        Environment.GetEnvironmentVariable("EMI_FFMPEG") is { Length: > 0 } ffmpeg ? ffmpeg : "ffmpeg",
        Environment.GetEnvironmentVariable("EMI_FFPROBE") is { Length: > 0 } ffprobe ? ffprobe : "ffprobe",
        limits ?? new MediaLimits());
}
