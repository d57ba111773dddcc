using System.Collections.Concurrent;
using System.Diagnostics;

namespace EmiPlatform.Harness;

/// <summary>Real media made with ffmpeg's lavfi test sources, each kind once per process, in a temporary folder.</summary>
public static class TestMedia
{
    private static readonly Lazy<string> Folder = new(() => Directory.CreateTempSubdirectory("emi-media-").FullName);
    private static readonly ConcurrentDictionary<string, Lazy<Task<byte[]>>> Cache = new();

    /// <summary>Seconds of 16 kHz mono PCM sine at <paramref name="frequency"/> Hz.</summary>
    public static Task<byte[]> SineAsync(int frequency, int seconds) =>
        MakeAsync($"sine-{frequency}-{seconds}.wav", $"-f lavfi -i sine=frequency={frequency}:sample_rate=16000 -t {seconds} -c:a pcm_s16le");

    /// <summary>Seconds of tone; a distinct frequency per <paramref name="n"/> gives distinct bytes.</summary>
    public static Task<byte[]> ToneAsync(int n, int seconds = 3) => SineAsync(200 + 7 * n, seconds);

    /// <summary>2 s of 16 kHz mono PCM.</summary>
    public static Task<byte[]> WavAsync() => SineAsync(330, 2);

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

    /// <summary>Seconds (default 3) of 160×120 video with a tone, index first (faststart) so a cut-off copy still probes.</summary>
    public static Task<byte[]> VideoAsync(int seconds = 3, int frequency = 440) => MakeAsync($"video-{seconds}-{frequency}.mp4",
        $"-f lavfi -i testsrc=size=160x120:rate=15 -f lavfi -i sine=frequency={frequency}:sample_rate=16000 -t {seconds} " +
        "-c:v libx264 -pix_fmt yuv420p -c:a aac -movflags +faststart");

    /// <summary>The same small video with a tone, encoded fast: long enough that scoring takes many seconds.</summary>
    public static Task<byte[]> LongVideoAsync(int seconds) => MakeAsync($"long-{seconds}.mp4",
        $"-f lavfi -i testsrc=size=160x120:rate=15 -f lavfi -i sine=frequency=440:sample_rate=16000 -t {seconds} " +
        "-c:v libx264 -preset ultrafast -pix_fmt yuv420p -c:a aac -movflags +faststart");

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

    /// <summary>
    /// A 12 s session recording: 16 kHz mono tone whose pitch steps up every 2 s (200, 300, … 700 Hz), so a participant's
    /// baseline and stimulus segments sound different to the audio branch.
    /// </summary>
    public static Task<byte[]> SessionAsync() => MakeAsync("session-12.wav",
        "-f lavfi -i \"aevalsrc=sin(2*PI*(200+100*floor(t/2))*t):s=16000\" -t 12 -c:a pcm_s16le");

    /// <summary>Writes media made by <paramref name="make"/> to <paramref name="path"/> (its folder created), for tools that read files.</summary>
    public static async Task WriteAsync(string path, Task<byte[]> make)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        await File.WriteAllBytesAsync(path, await make);
    }

    private static Task<byte[]> MakeAsync(string name, string arguments) =>
        Cache.GetOrAdd(name, _ => new Lazy<Task<byte[]>>(async () =>
        {
            var path = Path.Combine(Folder.Value, name);
            using var ffmpeg = Process.Start(new ProcessStartInfo("ffmpeg", $"-nostdin -v error -y {arguments} \"{path}\"") { RedirectStandardError = true })
                               ?? throw new InvalidOperationException("could not start ffmpeg");
            var stderr = await ffmpeg.StandardError.ReadToEndAsync();
            await ffmpeg.WaitForExitAsync();
            return ffmpeg.ExitCode == 0
                ? await File.ReadAllBytesAsync(path)
                : throw new InvalidOperationException($"ffmpeg could not make {name}: {stderr}");
        })).Value;
}
