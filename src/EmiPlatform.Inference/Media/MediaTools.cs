namespace EmiPlatform.Inference.Media;

/// <summary>
/// Where ffmpeg and ffprobe are. Defaults to the executables on PATH; EMI_FFMPEG / EMI_FFPROBE override them
/// (a deployment may ship its own static build).
/// </summary>
public sealed record MediaTools(string Ffmpeg, string Ffprobe)
{
    public static MediaTools FromEnvironment() => new(
        Environment.GetEnvironmentVariable("EMI_FFMPEG") is { Length: > 0 } ffmpeg ? ffmpeg : "ffmpeg",
        Environment.GetEnvironmentVariable("EMI_FFPROBE") is { Length: > 0 } ffprobe ? ffprobe : "ffprobe");
}
