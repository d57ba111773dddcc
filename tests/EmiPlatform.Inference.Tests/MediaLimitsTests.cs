using EmiPlatform.Media;
using EmiPlatform.Testing.Media;

namespace EmiPlatform.Inference.Tests;

/// <summary>
/// Each bound of <see cref="MediaLimits"/>: declared figures beyond it are refused as <see cref="MediaErrorKind.OutOfBounds"/>
/// (and accepted when the limit is raised, so it is the bound that refused them); a probe and a decode that run past
/// their wall-clock, CPU-time or memory limit are stopped.
/// </summary>
[Collection(MediaCollection.Name)]
public sealed class MediaLimitsTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("emi-limits-").FullName;

    public static TheoryData<string> Declared => [.. OutOfBoundsMedia.All.Keys];

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Theory]
    [MemberData(nameof(Declared))]
    public async Task A_file_declaring_more_than_a_bound_is_refused_by_the_probe_and_accepted_above_it(string name)
    {
        var (fileName, declares, make) = OutOfBoundsMedia.All[name];
        var path = Path.Combine(_folder, fileName);
        File.WriteAllBytes(path, make(_folder));

        var error = await Assert.ThrowsAsync<MediaDecodeException>(() => MediaProbe.ProbeAsync(path, MediaTools.FromEnvironment(), CancellationToken.None));
        Assert.Equal(MediaErrorKind.OutOfBounds, error.Kind);
        Assert.Contains(declares, error.Message, StringComparison.Ordinal);
        Assert.Contains(fileName, error.Message, StringComparison.Ordinal);

        var raised = new MediaLimits
        {
            MaxFrameWidth = 65535,
            MaxFrameHeight = 65535,
            MaxFrameRate = 100_000,
            MaxStreams = 1000,
            MaxDuration = TimeSpan.FromDays(730),
            MaxSampleRate = 10_000_000,
        };
        var info = await MediaProbe.ProbeAsync(path, MediaTools.FromEnvironment(raised), CancellationToken.None);
        Assert.True(info.HasAudio || info.HasVideo);
    }

    [Fact]
    public async Task A_stored_probe_beyond_the_bounds_starts_no_decoder()
    {
        var stored = new MediaInfo(Path.Combine(_folder, "stored.mkv"), "matroska,webm", 36_000_000, 0, null,
            new VideoStreamInfo(0, "h264", 60000, 60000, 25, 25, 0, 0, 36_000_000));
        var before = FfmpegProcess.LiveCount;
        var error = Assert.Throws<MediaDecodeException>(() =>
            VideoDecoder.Start(stored, new CoverCropFrames(8, 8, [0f, 0f, 0f], [1f, 1f, 1f]), 5, MediaTools.FromEnvironment(), CancellationToken.None));
        Assert.Equal(MediaErrorKind.OutOfBounds, error.Kind);
        Assert.Equal(before, FfmpegProcess.LiveCount);
    }

    [Fact]
    public async Task A_probe_of_storage_that_never_answers_stops_at_its_wall_clock_limit()
    {
        await using var storage = new LoopbackFileServer(stall: true);
        var tools = MediaTools.FromEnvironment(new MediaLimits { ProbeTimeout = TimeSpan.FromSeconds(1) });
        var started = DateTime.UtcNow;
        var error = await Assert.ThrowsAsync<MediaDecodeException>(() =>
            MediaProbe.ProbeAsync(MediaSource.Http(storage.Add("tone.wav", []), "tone.wav"), tools, CancellationToken.None));
        Assert.Equal(MediaErrorKind.OutOfBounds, error.Kind);
        Assert.Contains("wall-clock limit of 1 s", error.Message, StringComparison.Ordinal);
        Assert.InRange(DateTime.UtcNow - started, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(20));
        Assert.Empty(ChildProcesses.FfmpegChildren());
    }

    [Fact]
    public async Task A_decode_that_outlives_its_wall_clock_limit_is_stopped()
    {
        var path = TestFfmpeg.Make(Path.Combine(_folder, "tone.wav"), "-f", "lavfi", "-i", "sine=sample_rate=16000:duration=30");
        var tools = MediaTools.FromEnvironment(new MediaLimits { DecodeTimeout = TimeSpan.FromSeconds(1), DecodeTimeoutPerMediaSecond = 0 });
        var info = await MediaProbe.ProbeAsync(path, tools, CancellationToken.None);
        await using var decoder = AudioDecoder.Start(info, 16000, tools, CancellationToken.None);

        // A reader that stalls (as a slow model would): ffmpeg blocks on the full pipe until the limit stops it.
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (IsRunning(decoder.ProcessId) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }
        Assert.False(IsRunning(decoder.ProcessId), "ffmpeg still runs 20 s after its 1 s limit");
        var samples = new float[16000 * 40];
        var read = await decoder.ReadAsync(samples, 0, samples.Length, CancellationToken.None);
        var error = await Assert.ThrowsAsync<MediaDecodeException>(() => decoder.CompleteAsync(CancellationToken.None));
        Assert.Equal(MediaErrorKind.OutOfBounds, error.Kind);
        Assert.Contains("wall-clock limit", error.Message, StringComparison.Ordinal);
        Assert.True(read < 16000 * 30, $"all {read} samples came out before the limit: {error.Message}");
    }

    [Fact]
    public async Task A_decoder_and_every_thread_it_starts_run_below_the_hosts_own_priority()
    {
        var path = TestFfmpeg.Make(Path.Combine(_folder, "long.mp4"), "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25:duration=60",
            "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p");
        var tools = MediaTools.FromEnvironment();
        var info = await MediaProbe.ProbeAsync(path, tools, CancellationToken.None);
        await using var decoder = VideoDecoder.Start(info, new CoverCropFrames(8, 8, [0f, 0f, 0f], [1f, 1f, 1f]), 25, tools, CancellationToken.None);

        // Nothing is read yet, so ffmpeg waits on the full pipe with its decoding threads started.
        await Task.Delay(500);
        var threads = Directory.GetDirectories($"/proc/{decoder.ProcessId}/task");
        Assert.NotEmpty(threads);
        Assert.All(threads, task => Assert.Equal(BackgroundPriority.Niceness, Nice(File.ReadAllText(Path.Combine(task, "stat")))));
        Assert.Equal(0, Nice(File.ReadAllText("/proc/thread-self/stat")));
    }

    // proc(5): nice is field 19, the 17th after the parenthesised command name.
    private static int Nice(string stat) =>
        int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[16], System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task A_decode_past_its_cpu_time_or_memory_limit_is_stopped_and_the_same_decode_within_them_finishes()
    {
        // A decompression bomb in miniature: one second of black 1080p repeated by stream copy is 60 s that cost
        // seconds of CPU time to decode, from a file of a few hundred kilobytes.
        var one = TestFfmpeg.Make(Path.Combine(_folder, "one.mp4"), "-f", "lavfi", "-i", "color=black:size=1920x1080:rate=30:duration=1",
            "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p");
        var path = TestFfmpeg.Make(Path.Combine(_folder, "bomb.mp4"), "-stream_loop", "59", "-i", one, "-c", "copy");
        var defaults = MediaTools.FromEnvironment();
        var info = await MediaProbe.ProbeAsync(path, defaults, CancellationToken.None);

        var cpu = await Assert.ThrowsAsync<MediaDecodeException>(() =>
            DecodeAsync(info, MediaTools.FromEnvironment(new MediaLimits { DecodeCpuTime = TimeSpan.FromSeconds(1), DecodeCpuPerMediaSecond = 0 })));
        Assert.Equal(MediaErrorKind.OutOfBounds, cpu.Kind);
        Assert.Contains("CPU-time limit of 1 s", cpu.Message, StringComparison.Ordinal);

        // 64 MiB cannot hold the decoder's 1080p frames; ffmpeg's allocations fail and it gives up.
        var memory = await Assert.ThrowsAsync<MediaDecodeException>(() =>
            DecodeAsync(info, MediaTools.FromEnvironment(new MediaLimits { MaxMemoryBytes = 64L * 1024 * 1024 })));
        Assert.True(memory.Kind is MediaErrorKind.OutOfBounds or MediaErrorKind.DecodeFailed, $"{memory.Kind}: {memory.Message}");

        Assert.InRange(await DecodeAsync(info, defaults), 299, 301);
        Assert.Empty(ChildProcesses.FfmpegChildren());
    }

    [Fact]
    public async Task Megabytes_of_tags_the_probe_does_not_ask_for_are_never_read_and_a_probe_answer_over_its_cap_is_refused()
    {
        // 32 MB of container tags, 200 MB as ffprobe's JSON of every field: under a cap of 16 KiB on what ffprobe may
        // answer, the probe still works, so it never asked for them.
        var tagged = TaggedMedia.WithContainerTags(_folder, "tagged.mkv", count: 8, bytes: 4 << 20);
        var capped = MediaTools.FromEnvironment(new MediaLimits { MaxProbeOutputBytes = 16 << 10 });
        var info = await MediaProbe.ProbeAsync(tagged, capped, CancellationToken.None);
        Assert.True(info.HasAudio && info.HasVideo);
        Assert.InRange(info.Duration, 1.9, 2.2);

        // A field it does ask for (a stream's rotate tag) made 1 MB long, 6 MB as JSON: refused at the default cap (1 MiB).
        var bomb = TaggedMedia.WithHugeRotateTag(_folder, "rotate-bomb.mkv", bytes: 1 << 20);
        var before = FfmpegProcess.LiveCount;
        var error = await Assert.ThrowsAsync<MediaDecodeException>(() => MediaProbe.ProbeAsync(bomb, MediaTools.FromEnvironment(), CancellationToken.None));
        Assert.Equal(MediaErrorKind.OutOfBounds, error.Kind);
        Assert.Contains("rotate-bomb.mkv", error.Message, StringComparison.Ordinal);
        Assert.Contains("1024 KiB", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, FfmpegProcess.LiveCount);
        Assert.Empty(ChildProcesses.FfmpegChildren());
    }

    // Gone, or a zombie waiting to be reaped.
    private static bool IsRunning(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..][0] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static async Task<int> DecodeAsync(MediaInfo info, MediaTools tools)
    {
        await using var decoder = VideoDecoder.Start(info, new CoverCropFrames(8, 8, [0f, 0f, 0f], [1f, 1f, 1f]), 5, tools, CancellationToken.None);
        var frames = new float[8 * 8 * 3 * 50];
        var total = 0;
        int read;
        while ((read = await decoder.ReadAsync(frames, 0, 50, CancellationToken.None)) > 0)
        {
            total += read;
        }
        await decoder.CompleteAsync(CancellationToken.None);
        return total;
    }
}
