using System.Diagnostics;

using EmiPlatform.Testing;

namespace EmiPlatform.Api.Tests.Infrastructure;

/// <summary>Real media made with ffmpeg's test sources, once per test run, in a temporary folder.</summary>
public static class TestMedia
{
    private static readonly string Folder = Directory.CreateTempSubdirectory("emi-api-media-").FullName;
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static readonly Dictionary<string, byte[]> Cache = [];

    /// <summary>3 s of 160×120 video with a 440 Hz tone, index first (faststart) so a cut-off copy still probes.</summary>
    public static Task<byte[]> VideoAsync() => MakeAsync("video.mp4",
        "-f lavfi -i testsrc=size=160x120:rate=15 -f lavfi -i sine=frequency=440:sample_rate=16000 -t 3 " +
        "-c:v libx264 -pix_fmt yuv420p -c:a aac -movflags +faststart");

    /// <summary>
    /// An hour of 80×60 video at one frame a second (≈ 4 MB, made in under a second): the pipeline samples it at the
    /// bundle's 5 fps, so scoring it keeps the model busy for seconds while decoding costs nothing.
    /// </summary>
    public static Task<byte[]> SlowToScoreVideoAsync() => MakeAsync("slow-to-score.mp4",
        "-f lavfi -i testsrc=size=80x60:rate=1 -t 3600 -c:v libx264 -preset ultrafast -pix_fmt yuv420p -movflags +faststart");

    /// <summary>
    /// 2 s of Debian python3-skimage's astronaut.png (NASA, public domain; one face) then 2 s of test pattern (no
    /// face), with a tone throughout.
    /// </summary>
    public static Task<byte[]> FaceThenNoFaceVideoAsync() => MakeAsync("face-then-none.mp4",
        "-loop 1 -t 2 -i /usr/lib/python3/dist-packages/skimage/data/astronaut.png -f lavfi -t 2 -i testsrc=size=512x512:rate=10 " +
        "-f lavfi -i sine=frequency=300:sample_rate=16000 -filter_complex \"[0:v]fps=10,format=yuv420p[a];[1:v]format=yuv420p[b];[a][b]concat=n=2:v=1[v]\" " +
        "-map [v] -map 2:a -t 4 -c:v libx264 -pix_fmt yuv420p -c:a aac -movflags +faststart");

    /// <summary>2 s of test pattern, no face and no audio: nothing for the reference bundle to score.</summary>
    public static Task<byte[]> FacelessSilentVideoAsync() => MakeAsync("faceless-silent.mp4",
        "-f lavfi -i testsrc=size=320x240:rate=10 -t 2 -c:v libx264 -pix_fmt yuv420p -movflags +faststart");

    /// <summary>2 s of 16 kHz mono PCM.</summary>
    public static Task<byte[]> WavAsync() => MakeAsync("tone.wav", "-f lavfi -i sine=frequency=330:sample_rate=16000 -t 2 -c:a pcm_s16le");

    /// <summary>The WAV with one sample changed: distinct bytes (and hash) that are still valid media.</summary>
    public static async Task<byte[]> DistinctWavAsync(int n)
    {
        var bytes = (byte[])(await WavAsync()).Clone();
        // Samples at the end: ffmpeg's WAV header is longer than 44 bytes (it adds a LIST chunk).
        var at = bytes.Length - 4 - (2 * n % (bytes.Length / 2));
        bytes[at] ^= (byte)(1 + (n % 250));
        bytes[at + 2] ^= (byte)(n / 250 + 1);
        return bytes;
    }

    private static async Task<byte[]> MakeAsync(string name, string arguments)
    {
        await Gate.WaitAsync();
        try
        {
            if (Cache.TryGetValue(name, out var cached))
            {
                return cached;
            }
            var path = Path.Combine(Folder, name);
            using var ffmpeg = Process.Start(new ProcessStartInfo("ffmpeg", $"-nostdin -v error -y {arguments} {path}") { RedirectStandardError = true })!;
            var stderr = await ffmpeg.StandardError.ReadToEndAsync();
            await ffmpeg.WaitForExitAsync();
            Assert.True(ffmpeg.ExitCode == 0, $"ffmpeg could not make {name}: {stderr}");
            return Cache[name] = await File.ReadAllBytesAsync(path);
        }
        finally
        {
            Gate.Release();
        }
    }
}
