using System.Diagnostics;
using System.Threading.Channels;
using EmiPlatform.Bundles;
using EmiPlatform.Inference.Faces;
using EmiPlatform.Inference.Onnx;
using EmiPlatform.Inference.Perception;
using EmiPlatform.Inference.Scoring;
using EmiPlatform.Inference.Speech;
using EmiPlatform.Media;

namespace EmiPlatform.Cli.Bench;

/// <summary>
/// The denominator of the pipeline-efficiency ratio: the same segments the pipeline feeds the model, decoded into
/// memory beforehand, run through the same sessions (both branches concurrently, as the pipeline does) with no
/// decoding in the way. With a face stage, the decoded letterboxed frames are kept instead, and each run does
/// the face stage's work on them (detector, track, crop, and with perception FaceMesh and the expressions) before the
/// visual sessions; with a speech stage, the whole 16 kHz stream is kept and the speech detector runs over it before
/// the audio sessions. Raw includes every model the pipeline runs.
/// </summary>
internal sealed class RawSessionTimer((OnnxModel? Speech, OnnxModel? Landmarks, OnnxModel? Expressions) stages)
{
    private readonly List<Segment> _audio = [];
    private readonly List<Segment> _visual = [];
    private LetterboxedFrames? _letterboxed;
    private float[]? _speechSamples;

    public static async Task<RawSessionTimer> DecodeAsync(string recording, ModelBundle bundle, (OnnxModel? Speech, OnnxModel? Landmarks, OnnxModel? Expressions) stages, CancellationToken cancellationToken)
    {
        var tools = MediaTools.FromEnvironment();
        var childCpuBefore = ChildCpuTime.Total;
        var media = await MediaProbe.ProbeAsync(recording, tools, cancellationToken);
        var timer = new RawSessionTimer(stages);
        if (media.HasAudio && bundle.Audio is { Speech: not null } && stages.Speech is not null)
        {
            await using var decoder = AudioDecoder.Start(media, SileroSpeechDetector.SampleRate, tools, cancellationToken);
            var samples = new List<float>();
            var buffer = new float[16384];
            int read;
            while ((read = await decoder.ReadAsync(buffer, 0, buffer.Length, cancellationToken)) > 0)
            {
                samples.AddRange(buffer.AsSpan(0, read));
            }

            await decoder.CompleteAsync(cancellationToken);
            timer._speechSamples = [.. samples];
        }

        if (media.HasAudio && bundle.Audio is { } a)
        {
            await using var decoder = AudioDecoder.Start(media, a.SampleRate, tools, cancellationToken);
            await Collect(decoder, (int)Math.Round(a.SegmentSeconds * a.SampleRate), (int)Math.Round(a.OverlapSeconds * a.SampleRate), timer._audio, cancellationToken);
        }

        if (media.HasVideo && bundle.Visual is { Face: { } face })
        {
            timer._letterboxed = new LetterboxedFrames(face.FrameSize);
            await using var decoder = VideoDecoder.Start(media, timer._letterboxed, bundle.Visual.FrameRate, tools, cancellationToken);
            var sink = new float[16];
            while (await decoder.ReadAsync(sink, 0, 16, cancellationToken) > 0)
            {
            }

            await decoder.CompleteAsync(cancellationToken);
        }
        else if (media.HasVideo && bundle.Visual is { } v)
        {
            await using var decoder = VideoDecoder.Start(media, new CoverCropFrames(v.Height, v.Width, v.Mean, v.Std), v.FrameRate, tools, cancellationToken);
            await Collect(decoder, (int)Math.Round(v.SegmentSeconds * v.FrameRate), (int)Math.Round(v.OverlapSeconds * v.FrameRate), timer._visual, cancellationToken);
        }

        timer.DecodeCpu = ChildCpuTime.Total - childCpuBefore;
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

    /// <summary>CPU time ffprobe and ffmpeg spent probing and decoding the recording: work the pipeline does and raw does not.</summary>
    public TimeSpan DecodeCpu { get; private set; }

    public int VisualSegments => _visual.Count;

    /// <summary>Frames the face stage ran on in the last <see cref="RunAsync"/>, and how long it took (0 without one).</summary>
    public (int Frames, TimeSpan Time) FaceStage { get; private set; }

    /// <summary>Runs every segment once (after the face stage on every frame, when the bundle has one); returns the wall time.</summary>
    public async Task<TimeSpan> RunAsync(ModelBundle bundle, BranchModel? audio, BranchModel? visual, OnnxModel? face, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        var tasks = new List<Task>();
        if (audio is not null && bundle.Audio is { } a)
        {
            tasks.Add(Task.Run(() =>
            {
                if (_speechSamples is not null)
                {
                    using var detector = new SileroSpeechDetector(stages.Speech!);
                    detector.Detect(_speechSamples, cancellationToken);
                }

                using var runner = audio.CreateRunner();
                foreach (var s in _audio)
                {
                    RunSegment(runner, s, Math.Max(s.Units, a.ReceptiveFieldSamples), 0, cancellationToken);
                }
            }, cancellationToken));
        }

        if (visual is not null && bundle.Visual is { } v)
        {
            tasks.Add(Task.Run(() =>
            {
                if (_letterboxed is not null)
                {
                    CropFaces(v, face!);
                }

                using var runner = visual.CreateRunner();
                foreach (var s in _visual)
                {
                    RunSegment(runner, s, s.Units, v.ActionUnits, cancellationToken);
                }
            }, cancellationToken));
        }

        await Task.WhenAll(tasks);
        return watch.Elapsed;
    }

    // The face stage over every kept frame, into segments cut as the pipeline cuts them.
    private void CropFaces(VisualBranch v, OnnxModel face)
    {
        var watch = Stopwatch.StartNew();
        foreach (var s in _visual)
        {
            s.Release();
        }

        _visual.Clear();
        using var perceiver = stages.Landmarks is null ? null : new FacePerceiver(stages.Landmarks, stages.Expressions);
        using var frames = new FaceCropFrames(face, v, perceiver: perceiver);
        var crops = new float[_letterboxed!.Frames.Count * frames.FrameFloats];
        for (var i = 0; i < _letterboxed.Frames.Count; i++)
        {
            frames.Shape(_letterboxed.Frames[i], crops.AsSpan(i * frames.FrameFloats, frames.FrameFloats));
        }

        FaceStage = (_letterboxed.Frames.Count, watch.Elapsed);
        var segment = (int)Math.Round(v.SegmentSeconds * v.FrameRate);
        var hop = segment - (int)Math.Round(v.OverlapSeconds * v.FrameRate);
        for (var start = 0; start < _letterboxed.Frames.Count; start += hop)
        {
            var units = Math.Min(segment, _letterboxed.Frames.Count - start);
            var buffer = System.Buffers.ArrayPool<float>.Shared.Rent(segment * frames.FrameFloats);
            Array.Copy(crops, start * frames.FrameFloats, buffer, 0, units * frames.FrameFloats);
            _visual.Add(new Segment(buffer, units, start, start == 0, start + units >= _letterboxed.Frames.Count, 0));
            if (start + units >= _letterboxed.Frames.Count)
            {
                break;
            }
        }
    }

    /// <summary>One run of the first segment per branch: arenas and kernels warm up before anything is timed.</summary>
    public void WarmUp(ModelBundle bundle, BranchModel? audio, BranchModel? visual, OnnxModel? face)
    {
        if (_letterboxed is not null && bundle.Visual is { } v && face is not null)
        {
            CropFaces(v, face);
        }

        AllocatedBytesPerRun(bundle, audio, visual, 0);
    }

    /// <summary>
    /// Managed bytes this thread allocates per session run (one runner reused, as the pipeline does), averaged over
    /// <paramref name="runs"/> runs of the first segment after one unmeasured run.
    /// </summary>
    public (double Audio, double Visual) AllocatedBytesPerRun(ModelBundle bundle, BranchModel? audio, BranchModel? visual, int runs)
    {
        double a = double.NaN, v = double.NaN;
        if (audio is not null && bundle.Audio is { } ab && _audio.Count > 0)
        {
            using var runner = audio.CreateRunner();
            var first = _audio[0];
            a = Measure(() => RunSegment(runner, first, Math.Max(first.Units, ab.ReceptiveFieldSamples), 0, default), runs);
        }

        if (visual is not null && bundle.Visual is { } vb && _visual.Count > 0)
        {
            using var runner = visual.CreateRunner();
            var first = _visual[0];
            v = Measure(() => RunSegment(runner, first, first.Units, vb.ActionUnits, default), runs);
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

    /// <summary>One segment through the backbone then the head, as the pipeline runs it (the AU input zeros).</summary>
    private static void RunSegment(StagedRunner runner, Segment s, int units, int auWidth, CancellationToken cancellationToken)
    {
        var unitFloats = runner.Stages.PerFrame ? (int)(runner.Stages.FrameShape[0] * runner.Stages.FrameShape[1] * runner.Stages.FrameShape[2]) : 1;
        var features = runner.Features(s.Buffer.AsMemory(0, units * unitFloats), 1, units, out var steps, cancellationToken);
        try
        {
            var aus = auWidth == 0 ? Memory<float>.Empty : new float[steps * auWidth];
            using var outputs = runner.Head(features.AsMemory(0, steps * runner.Stages.FeatureWidth), aus, 1, steps, auWidth, cancellationToken);
        }
        finally
        {
            System.Buffers.ArrayPool<float>.Shared.Return(features);
        }
    }

    public void Release()
    {
        foreach (var s in _audio.Concat(_visual))
        {
            s.Release();
        }
    }
}
