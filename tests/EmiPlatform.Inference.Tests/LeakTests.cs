using System.Diagnostics;
using EmiPlatform.Bundles;
using EmiPlatform.Inference.Onnx;
using EmiPlatform.Inference.Scoring;
using EmiPlatform.Media;
using Xunit.Abstractions;

namespace EmiPlatform.Inference.Tests;

/// <summary>
/// Managed and native memory, file descriptors and child processes stay flat over many runs, and cancellation
/// leaves no ffmpeg behind. 10 000 session runs of the reference audio model take about 15 s on 2 cores.
/// </summary>
[Collection(MediaCollection.Name)]
public sealed class LeakTests(MediaFixture media, ITestOutputHelper output)
{
    private const int SessionRuns = 10_000;

    [Fact]
    public void ThousandsOfSessionRunsKeepManagedAndNativeMemorySteady()
    {
        var bundle = ModelBundle.Load(TestEnvironment.ReferenceBundle);
        using var audio = OnnxModel.Open(bundle.AudioBackbonePath!, TestEnvironment.Cpu with { IntraOpThreads = 1 });
        using var runner = audio.CreateRunner(["features"]);
        var waveform = new float[16000];
        var random = new Random(7);
        for (var i = 0; i < waveform.Length; i++)
        {
            waveform[i] = (float)((random.NextDouble() * 2) - 1) * 0.3f;
        }

        void RunOnce()
        {
            using var outputs = runner.Run([new OnnxInput("waveform", waveform, [1, waveform.Length])]);
        }

        // Warm up: arenas, thread pools and JIT reach their steady size first.
        for (var i = 0; i < 200; i++)
        {
            RunOnce();
        }

        GC.Collect();
        GC.WaitForPendingFinalizers();
        var managedBefore = GC.GetTotalMemory(forceFullCollection: true);
        var fdsBefore = ChildProcesses.OpenFileDescriptors();
        var rssBefore = ChildProcesses.ResidentBytes();
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < SessionRuns; i++)
        {
            RunOnce();
        }

        watch.Stop();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var managedAfter = GC.GetTotalMemory(forceFullCollection: true);
        var rssAfter = ChildProcesses.ResidentBytes();
        output.WriteLine($"{SessionRuns} runs in {watch.Elapsed.TotalSeconds:0.0} s; RSS {rssBefore / 1048576.0:0.0} -> {rssAfter / 1048576.0:0.0} MiB; managed heap {managedBefore / 1024.0:0} -> {managedAfter / 1024.0:0} KiB");

        // Every OrtValue and output collection is disposed or finalised: the heap does not keep them.
        Assert.True(managedAfter - managedBefore < 1024 * 1024, $"managed heap grew by {(managedAfter - managedBefore) / 1024.0:0} KiB over {SessionRuns} runs");
        Assert.InRange(ChildProcesses.OpenFileDescriptors(), fdsBefore - 5, fdsBefore + 5);
        Assert.True(rssAfter - rssBefore < 32L * 1024 * 1024, $"RSS grew by {(rssAfter - rssBefore) / 1048576.0:0.0} MiB over {SessionRuns} runs");
    }

    /// <summary>
    /// The GC keeps the memory it once committed (the face stage's frames raise its budget over the first scorings), so
    /// RSS alone grows for a while without a leak. A managed leak shows in the live heap after a full collection; a
    /// native one (sessions, OrtValues, pipes) in what RSS gained beyond the GC's own committed bytes.
    /// </summary>
    [Fact]
    public async Task RepeatedScoringLeavesNoProcessesDescriptorsOrMemory()
    {
        var bundle = ModelBundle.Load(TestEnvironment.ReferenceBundle);
        using var pipeline = new ScoringPipeline(TestEnvironment.Cpu);

        async Task ScoreAll(int rounds)
        {
            for (var i = 0; i < rounds; i++)
            {
                await pipeline.ScoreAsync(media.P(i % 3 == 0 ? "speech.wav" : "both.mp4"), bundle);
                await Assert.ThrowsAsync<MediaDecodeException>(() => pipeline.ScoreAsync(media.P("truncated.mp4"), bundle));
            }
        }

        (long Live, long Committed, long Resident) Memory()
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            return (GC.GetTotalMemory(forceFullCollection: true), GC.GetGCMemoryInfo().TotalCommittedBytes, ChildProcesses.ResidentBytes());
        }

        // Warm up on every kind of input: pools, arenas and the GC's budget reach their working size first.
        await ScoreAll(6);
        var before = Memory();
        var fdsBefore = ChildProcesses.OpenFileDescriptors();

        await ScoreAll(15);

        var after = Memory();
        const double MiB = 1024 * 1024;
        output.WriteLine($"30 scorings: live heap {before.Live / MiB:0.0} -> {after.Live / MiB:0.0} MiB, GC committed " +
            $"{before.Committed / MiB:0.0} -> {after.Committed / MiB:0.0} MiB, RSS {before.Resident / MiB:0.0} -> {after.Resident / MiB:0.0} MiB");
        Assert.Equal(0, FfmpegProcess.LiveCount);
        Assert.Empty(ChildProcesses.FfmpegChildren());
        Assert.True(after.Live - before.Live < 32 * MiB, $"the live managed heap grew by {(after.Live - before.Live) / MiB:0.0} MiB over 30 scorings");
        var native = (after.Resident - before.Resident) - Math.Max(0, after.Committed - before.Committed);
        Assert.True(native < 48 * MiB, $"RSS beyond the GC's committed memory grew by {native / MiB:0.0} MiB over 30 scorings");
        Assert.InRange(ChildProcesses.OpenFileDescriptors(), fdsBefore - 5, fdsBefore + 5);
    }

    [Fact]
    public async Task CancelledScoreKillsItsFfmpegProcesses()
    {
        var bundle = ModelBundle.Load(TestEnvironment.ReferenceBundle);
        using var pipeline = new ScoringPipeline(TestEnvironment.Cpu);
        using var cts = new CancellationTokenSource();
        var started = new TaskCompletionSource();
        var progress = new SynchronousProgress(p =>
        {
            if (p.ScoredSeconds > 0)
            {
                started.TrySetResult();
            }
        });

        var scoring = pipeline.ScoreAsync(media.P("long.mp4"), bundle, null, progress, cts.Token);
        await started.Task.WaitAsync(TimeSpan.FromSeconds(60));
        // Mid-recording: both decoders are running.
        Assert.NotEmpty(ChildProcesses.FfmpegChildren());
        var watch = Stopwatch.StartNew();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => scoring);
        output.WriteLine($"cancelled in {watch.ElapsedMilliseconds} ms");
        Assert.Equal(0, FfmpegProcess.LiveCount);
        Assert.Empty(ChildProcesses.FfmpegChildren());
    }

    private sealed class SynchronousProgress(Action<ScoringProgress> report) : IProgress<ScoringProgress>
    {
        public void Report(ScoringProgress value) => report(value);
    }
}
