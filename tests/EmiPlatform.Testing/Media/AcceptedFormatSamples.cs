namespace EmiPlatform.Testing.Media;

/// <summary>
/// One short recording in each accepted container (EmiPlatform.Media.AcceptedFormats), made with ffmpeg: 2 s
/// of a 16 kHz tone, over a small test pattern where the container carries video.
/// </summary>
public static class AcceptedFormatSamples
{
    private static readonly string[] Tone = ["-f", "lavfi", "-i", "sine=frequency=330:sample_rate=16000:duration=2"];
    private static readonly string[] Pattern = ["-f", "lavfi", "-i", "testsrc=size=64x48:rate=25:duration=2"];

    /// <summary>Demuxer name → (file name, ffmpeg arguments without the output path).</summary>
    public static IReadOnlyDictionary<string, (string FileName, string[] Arguments)> All { get; } =
        new Dictionary<string, (string, string[])>(StringComparer.Ordinal)
        {
            ["mov"] = ("sample.mp4", [.. Pattern, .. Tone, "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac"]),
            ["matroska"] = ("sample.mkv", [.. Pattern, .. Tone, "-c:v", "mpeg4", "-c:a", "libopus"]),
            ["avi"] = ("sample.avi", [.. Pattern, .. Tone, "-c:v", "mpeg4", "-c:a", "libmp3lame"]),
            ["mpegts"] = ("sample.ts", [.. Pattern, .. Tone, "-c:v", "mpeg2video", "-c:a", "mp2"]),
            ["mpeg"] = ("sample.mpg", [.. Pattern, .. Tone, "-c:v", "mpeg1video", "-c:a", "mp2", "-f", "mpeg"]),
            ["asf"] = ("sample.wmv", [.. Pattern, .. Tone, "-c:v", "wmv2", "-c:a", "wmav2"]),
            ["wav"] = ("sample.wav", [.. Tone, "-c:a", "pcm_s16le"]),
            ["w64"] = ("sample.w64", [.. Tone, "-c:a", "pcm_s16le", "-f", "w64"]),
            ["aiff"] = ("sample.aiff", [.. Tone, "-c:a", "pcm_s16be"]),
            ["caf"] = ("sample.caf", [.. Tone, "-c:a", "alac"]),
            ["mp3"] = ("sample.mp3", [.. Tone, "-c:a", "libmp3lame"]),
            ["flac"] = ("sample.flac", [.. Tone, "-c:a", "flac"]),
            ["ogg"] = ("sample.ogg", [.. Tone, "-c:a", "libvorbis"]),
            ["aac"] = ("sample.aac", [.. Tone, "-c:a", "aac", "-f", "adts"]),
        };

    /// <summary>Makes the sample of <paramref name="demuxer"/> under <paramref name="folder"/>; returns its path.</summary>
    public static string Make(string demuxer, string folder)
    {
        var (fileName, arguments) = All[demuxer];
        Directory.CreateDirectory(folder);
        return TestFfmpeg.Make(Path.Combine(folder, fileName), arguments);
    }
}
