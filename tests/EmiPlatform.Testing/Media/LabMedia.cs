namespace EmiPlatform.Testing.Media;

/// <summary>Recordings as lab recorders write them, made with ffmpeg.</summary>
public static class LabMedia
{
    public const double VideoSeconds = 6;
    public const double AudioSeconds = 4.5;

    /// <summary>
    /// What OBS and many lab recorders write: H.264 + AAC in Matroska whose audio track ends 1.5 s before its video
    /// (the microphone stopped first). Made as an MP4 and remuxed with <c>-c copy</c>, as the clip was; Matroska
    /// keeps no per-stream duration field, only each track's DURATION tag.
    /// </summary>
    public static string AudioEndsEarlyMkv(string folder)
    {
        var mp4 = TestFfmpeg.Make(Path.Combine(folder, "lab-recorder.mp4"),
            "-f", "lavfi", "-i", "testsrc=size=320x240:rate=30", "-f", "lavfi", "-i", "sine=frequency=330:sample_rate=48000",
            "-filter_complex", FormattableString.Invariant($"[1:a]atrim=0:{AudioSeconds}[a]"), "-map", "0:v", "-map", "[a]",
            "-t", FormattableString.Invariant($"{VideoSeconds}"),
            "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac");
        return TestFfmpeg.Make(Path.Combine(folder, "lab-recorder.mkv"), "-i", mp4, "-c", "copy");
    }
}
