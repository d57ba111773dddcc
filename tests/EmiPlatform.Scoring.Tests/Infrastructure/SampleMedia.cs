using System.Collections.Concurrent;
using System.Diagnostics;

namespace EmiPlatform.Scoring.Tests.Infrastructure;

/// <summary>Real media made with ffmpeg's test sources, once per test run.</summary>
public static class SampleMedia
{
    private static readonly string Folder = Directory.CreateTempSubdirectory("emi-scoring-media-").FullName;
    private static readonly ConcurrentDictionary<string, Lazy<Task<byte[]>>> Cache = new();

    /// <summary>Seconds of 16 kHz mono tone; a distinct frequency per <paramref name="n"/> gives distinct bytes.</summary>
    public static Task<byte[]> ToneAsync(int n, int seconds = 3) =>
        MakeAsync($"tone-{n}-{seconds}.wav", $"-f lavfi -i sine=frequency={200 + 7 * n}:sample_rate=16000 -t {seconds} -c:a pcm_s16le");

    /// <summary>Small video with a tone, long enough that scoring takes many seconds.</summary>
    public static Task<byte[]> LongVideoAsync(int seconds) => MakeAsync($"long-{seconds}.mp4",
        $"-f lavfi -i testsrc=size=160x120:rate=15 -f lavfi -i sine=frequency=440:sample_rate=16000 -t {seconds} " +
        "-c:v libx264 -preset ultrafast -pix_fmt yuv420p -c:a aac -movflags +faststart");

    private static Task<byte[]> MakeAsync(string name, string arguments) =>
        Cache.GetOrAdd(name, _ => new Lazy<Task<byte[]>>(async () =>
        {
            var path = Path.Combine(Folder, name);
            using var ffmpeg = Process.Start(new ProcessStartInfo("ffmpeg", $"-nostdin -v error -y {arguments} {path}") { RedirectStandardError = true })!;
            var stderr = await ffmpeg.StandardError.ReadToEndAsync();
            await ffmpeg.WaitForExitAsync();
            Assert.True(ffmpeg.ExitCode == 0, $"ffmpeg could not make {name}: {stderr}");
            return await File.ReadAllBytesAsync(path);
        })).Value;
}
