using System.Diagnostics;
using System.Threading.Channels;
using EmiPlatform.Inference.Bundles;
using EmiPlatform.Inference.Media;
using EmiPlatform.Inference.Onnx;
using EmiPlatform.Inference.Scoring;

namespace EmiPlatform.Cli.Bench;

/// <summary>
/// The denominator of the pipeline-efficiency ratio: the same segments the pipeline feeds the model, decoded into
/// memory beforehand, run through the same sessions (both branches concurrently, as the pipeline does) with no
/// decoding in the way.
/// </summary>
internal sealed class RawSessionTimer
{
    private readonly List<Segment> _audio = [];
    private readonly List<Segment> _visual = [];

    public static async Task<RawSessionTimer> DecodeAsync(string recording, ModelBundle bundle, CancellationToken cancellationToken)
    {
        var tools = MediaTools.FromEnvironment();
        var media = await MediaProbe.ProbeAsync(recording, tools, cancellationToken);
        var timer = new RawSessionTimer();
        if (media.HasAudio && bundle.Audio is { } a)
        {
            await using var decoder = AudioDecoder.Start(media, a.SampleRate, tools, cancellationToken);
            await Collect(decoder, (int)Math.Round(a.SegmentSeconds * a.SampleRate), (int)Math.Round(a.OverlapSeconds * a.SampleRate), timer._audio, cancellationToken);
        }

        if (media.HasVideo && bundle.Visual is { } v)
        {
            await using var decoder = VideoDecoder.Start(media, new CoverCropFrames(v.Height, v.Width, v.Mean, v.Std), v.FrameRate, tools, cancellationToken);
            await Collect(decoder, (int)Math.Round(v.SegmentSeconds * v.FrameRate), (int)Math.Round(v.OverlapSeconds * v.FrameRate), timer._visual, cancellationToken);
        }

        return timer;
    }

    private static async Task Collect(FfmpegDecoder decoder, int segment, int overlap, List<Segment> into, CancellationToken cancellationToken)
    {
        var channel = Channel.CreateUnbounded<Segment>();
        await Segmenter.RunAsync(decoder, segment, overlap, channel.Writer, cancellationToken);
        await foreach (var s in channel.Reader.ReadAllAsync(cancellationToken))
        {
            into.Add(s);
        }

        await decoder.CompleteAsync(cancellationToken);
    }

    public int AudioSegments => _audio.Count;

    public int VisualSegments => _visual.Count;

    /// <summary>Runs every segment once; returns the wall time.</summary>
    public async Task<TimeSpan> RunAsync(ModelBundle bundle, OnnxModel? audio, OnnxModel? visual, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        var tasks = new List<Task>();
        if (audio is not null && bundle.Audio is { } a)
        {
            tasks.Add(Task.Run(() =>
            {
                using var runner = audio.CreateRunner([a.Outputs.EmiSteps.Name, a.Outputs.VadSteps.Name]);
                foreach (var s in _audio)
                {
                    using var outputs = runner.Run(AudioInputs(a, s), cancellationToken);
                }
            }, cancellationToken));
        }

        if (visual is not null && bundle.Visual is { } v)
        {
            tasks.Add(Task.Run(() =>
            {
                using var runner = visual.CreateRunner([v.Outputs.EmiSteps.Name]);
                foreach (var s in _visual)
                {
                    using var outputs = runner.Run(VisualInputs(v, s), cancellationToken);
                }
            }, cancellationToken));
        }

        await Task.WhenAll(tasks);
        return watch.Elapsed;
    }

    /// <summary>One run of the first segment per branch: arenas and kernels warm up before anything is timed.</summary>
    public void WarmUp(ModelBundle bundle, OnnxModel? audio, OnnxModel? visual) => AllocatedBytesPerRun(bundle, audio, visual, 0);

    /// <summary>
    /// Managed bytes this thread allocates per session run (one runner reused, as the pipeline does), averaged over
    /// <paramref name="runs"/> runs of the first segment after one unmeasured run.
    /// </summary>
    public (double Audio, double Visual) AllocatedBytesPerRun(ModelBundle bundle, OnnxModel? audio, OnnxModel? visual, int runs)
    {
        double a = double.NaN, v = double.NaN;
        if (audio is not null && bundle.Audio is { } ab && _audio.Count > 0)
        {
            using var runner = audio.CreateRunner([ab.Outputs.EmiSteps.Name, ab.Outputs.VadSteps.Name]);
            var inputs = AudioInputs(ab, _audio[0]);
            a = Measure(() => runner.Run(inputs).Dispose(), runs);
        }

        if (visual is not null && bundle.Visual is { } vb && _visual.Count > 0)
        {
            using var runner = visual.CreateRunner([vb.Outputs.EmiSteps.Name]);
            var inputs = VisualInputs(vb, _visual[0]);
            v = Measure(() => runner.Run(inputs).Dispose(), runs);
        }

        return (a, v);
    }

    private static double Measure(Action run, int runs)
    {
        run();
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < runs; i++)
        {
            run();
        }

        return runs == 0 ? 0 : (GC.GetAllocatedBytesForCurrentThread() - before) / (double)runs;
    }

    private static OnnxInput[] AudioInputs(AudioBranch a, Segment s)
    {
        var units = Math.Max(s.Units, 400);
        return [new OnnxInput(a.Input.Name, s.Buffer.AsMemory(0, units), [1, units])];
    }

    private static OnnxInput[] VisualInputs(VisualBranch v, Segment s) =>
    [
        new OnnxInput(v.Inputs.Frames.Name, s.Buffer.AsMemory(0, s.Units * 3 * v.Height * v.Width), [1, s.Units, 3, v.Height, v.Width]),
        new OnnxInput(v.Inputs.Aus.Name, new float[s.Units * v.ActionUnits], [1, s.Units, v.ActionUnits]),
    ];

    public void Release()
    {
        foreach (var s in _audio.Concat(_visual))
        {
            s.Release();
        }
    }
}
