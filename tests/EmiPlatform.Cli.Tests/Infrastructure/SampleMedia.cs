using System.Diagnostics;

namespace EmiPlatform.Cli.Tests.Infrastructure;

/// <summary>Real media files made with ffmpeg's lavfi test sources.</summary>
public static class SampleMedia
{
    /// <summary>A short 16 kHz mono WAV; distinct <paramref name="frequency"/> values give distinct bytes.</summary>
    public static Task WavAsync(string path, int frequency) =>
        FfmpegAsync($"-f lavfi -i sine=frequency={frequency}:sample_rate=16000 -t 1 -c:a pcm_s16le", path);

    /// <summary>1 s of 160×120 video with a tone.</summary>
    public static Task VideoAsync(string path, int frequency) =>
        FfmpegAsync($"-f lavfi -i testsrc=size=160x120:rate=15 -f lavfi -i sine=frequency={frequency}:sample_rate=16000 -t 1 " +
                    "-c:v libx264 -pix_fmt yuv420p -c:a aac -movflags +faststart", path);

    /// <summary>2 s of Debian python3-skimage's astronaut.png (NASA, public domain; one face) with a tone, then 2 s of test pattern (no face).</summary>
    public static Task FaceThenNoFaceVideoAsync(string path) =>
        FfmpegAsync("-loop 1 -t 2 -i /usr/lib/python3/dist-packages/skimage/data/astronaut.png -f lavfi -t 2 -i testsrc=size=512x512:rate=10 " +
                    "-f lavfi -i sine=frequency=300:sample_rate=16000 -filter_complex \"[0:v]fps=10,format=yuv420p[a];[1:v]format=yuv420p[b];[a][b]concat=n=2:v=1[v]\" " +
                    "-map [v] -map 2:a -t 4 -c:v libx264 -pix_fmt yuv420p -c:a aac", path);

    /// <summary>2 s of test pattern: no face and no audio.</summary>
    public static Task FacelessSilentVideoAsync(string path) =>
        FfmpegAsync("-f lavfi -i testsrc=size=320x240:rate=10 -t 2 -c:v libx264 -pix_fmt yuv420p", path);

    /// <summary>An hour of tiny 1 fps video: seconds of scoring work, so its job is still queued or running when a test acts on it.</summary>
    public static Task SlowToScoreVideoAsync(string path) =>
        FfmpegAsync("-f lavfi -i testsrc=size=80x60:rate=1 -t 3600 -c:v libx264 -preset ultrafast -pix_fmt yuv420p -movflags +faststart", path);

    private static async Task FfmpegAsync(string arguments, string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var ffmpeg = Process.Start(new ProcessStartInfo("ffmpeg", $"-nostdin -v error -y {arguments} \"{path}\"") { RedirectStandardError = true })!;
        var stderr = await ffmpeg.StandardError.ReadToEndAsync();
        await ffmpeg.WaitForExitAsync();
        Assert.True(ffmpeg.ExitCode == 0, $"ffmpeg could not make {path}: {stderr}");
    }
}
