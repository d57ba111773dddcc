using System.Collections.Concurrent;
using EmiPlatform.Inference.Bundles;
using EmiPlatform.Inference.Media;
using EmiPlatform.Inference.Onnx;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EmiPlatform.Inference.Scoring;

/// <summary>
/// The scoring pipeline. Sessions are created once per bundle and reused across recordings (creating one costs
/// far more than a segment's inference); dispose the pipeline to release them.
/// </summary>
public sealed class ScoringPipeline : IScoringPipeline, IDisposable
{
    private const string AudioBranchName = "audio";
    private const string VisualBranchName = "visual";

    // wav2vec2's first conv layer has a 400-sample kernel: shorter input has no output step at all.
    private const int MinimumAudioSamples = 400;

    private readonly OnnxRuntime _runtime;
    private readonly OnnxSessionOptions _sessionOptions;
    private readonly MediaTools _tools;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, Lazy<BundleSessions>> _sessions = new(StringComparer.Ordinal);

    public ScoringPipeline(OnnxRuntime runtime, OnnxSessionOptions? sessionOptions = null, MediaTools? tools = null, ILogger? logger = null)
    {
        _runtime = runtime;
        _sessionOptions = sessionOptions ?? new OnnxSessionOptions();
        _tools = tools ?? MediaTools.FromEnvironment();
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>Builds a pipeline from <see cref="InferenceOptions"/> (configuration section <c>Inference</c>).</summary>
    public static ScoringPipeline Create(InferenceOptions options, ILogger? logger = null) =>
        new(
            OnnxRuntime.Load(OnnxRuntime.ResolveLibraryPath(options.OnnxRuntimeLibrary)),
            new OnnxSessionOptions { ExecutionProvider = options.ExecutionProvider, IntraOpThreads = options.IntraOpThreads },
            MediaTools.FromEnvironment(),
            logger);

    public async Task<ScoringResult> ScoreAsync(
        string recordingPath,
        ModelBundle bundle,
        ScoringOptions? options = null,
        IProgress<ScoringProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        (options ?? new ScoringOptions()).Validate();
        var media = await MediaProbe.ProbeAsync(recordingPath, _tools, cancellationToken).ConfigureAwait(false);
        return await ScoreAsync(media, bundle, options, progress, cancellationToken).ConfigureAwait(false);
    }

    public async Task<ScoringResult> ScoreAsync(
        MediaInfo media,
        ModelBundle bundle,
        ScoringOptions? options = null,
        IProgress<ScoringProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        options ??= new ScoringOptions();
        options.Validate();
        var sessions = SessionsFor(bundle);

        var useAudio = media.HasAudio && bundle.Audio is not null;
        var useVisual = media.HasVideo && bundle.Visual is not null;
        if (!useAudio && !useVisual)
        {
            throw new MediaDecodeException(
                MediaErrorKind.NoStreams,
                $"'{Path.GetFileName(media.Path)}' has {(media.HasAudio ? "audio only" : "video only")}, and bundle '{bundle.Name}' has no branch for it.");
        }

        var window = options.Window.TotalSeconds;
        var hop = options.Hop.TotalSeconds;
        var emotionCount = bundle.Emotions.Count;
        var audioEmi = new WindowAccumulator(window, hop, emotionCount);
        var audioVad = new WindowAccumulator(window, hop, bundle.Vad.Count);
        var visualEmi = new WindowAccumulator(window, hop, emotionCount);

        var scored = new double[2];
        var branches = (useAudio ? 1 : 0) + (useVisual ? 1 : 0);
        void Report(int branch, double seconds)
        {
            scored[branch] = seconds;
            progress?.Report(new ScoringProgress((scored[0] + scored[1]) / branches, media.Duration));
        }

        using var failFast = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var gate = options.ConcurrentBranches ? null : new SemaphoreSlim(1, 1);
        var tasks = new List<Task>(2);
        if (useAudio)
        {
            tasks.Add(RunGuardedAsync(() => RunAudioAsync(media, bundle.Audio!, sessions.Audio!, audioEmi, audioVad, options.BatchSize, gate, s => Report(0, s), failFast.Token), failFast));
        }

        if (useVisual)
        {
            tasks.Add(RunGuardedAsync(() => RunVisualAsync(media, bundle.Visual!, sessions.Visual!, visualEmi, options.BatchSize, gate, s => Report(useAudio ? 1 : 0, s), failFast.Token), failFast));
        }

        try
        {
            await Task.WhenAll(tasks).ConfigureAwait(false);
        }
        catch
        {
            cancellationToken.ThrowIfCancellationRequested();
            // Report the branch failure that caused the other branch's cancellation, not the cancellation.
            var cause = tasks.FirstOrDefault(t => t.IsFaulted && t.Exception!.InnerException is not OperationCanceledException);
            if (cause is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(cause.Exception!.InnerException!).Throw();
            }

            throw;
        }

        var timeline = Fuse(bundle, media.Duration, window, hop, useAudio ? audioEmi : null, useAudio ? audioVad : null, useVisual ? visualEmi : null);
        var provider = string.Join("+", new[] { useAudio ? sessions.Audio!.ExecutionProvider : null, useVisual ? sessions.Visual!.ExecutionProvider : null }
            .OfType<string>().Distinct(StringComparer.Ordinal));
        return new ScoringResult(
            bundle.Name,
            bundle.Version,
            bundle.Trained,
            provider,
            media.Duration,
            useAudio,
            useVisual,
            bundle.Emotions,
            bundle.Vad,
            timeline,
            Aggregate(timeline, media.Duration));
    }

    private static async Task RunGuardedAsync(Func<Task> run, CancellationTokenSource failFast)
    {
        try
        {
            await Task.Run(run).ConfigureAwait(false);
        }
        catch
        {
            await failFast.CancelAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task RunAudioAsync(MediaInfo media, AudioBranch spec, OnnxSession session, WindowAccumulator emi, WindowAccumulator vad, int batchSize, SemaphoreSlim? gate, Action<double> scored, CancellationToken cancellationToken)
    {
        await using var decoder = AudioDecoder.Start(media, spec.SampleRate, _tools, cancellationToken);
        var run = new BranchRun
        {
            Decoder = decoder,
            Session = session,
            SegmentUnits = (int)Math.Round(spec.SegmentSeconds * spec.SampleRate),
            OverlapUnits = (int)Math.Round(spec.OverlapSeconds * spec.SampleRate),
            MinimumUnits = MinimumAudioSamples,
            BatchSize = batchSize,
            StreamOffsetSeconds = media.Audio!.StartTime,
            OutputRateHz = spec.OutputRateHz,
            Inputs = (data, count, units) => [new OnnxInput(spec.Input.Name, data, [count, units])],
            StepOutputs = [(spec.Outputs.EmiSteps.Name, emi), (spec.Outputs.VadSteps.Name, vad)],
            Scored = scored,
            InferenceGate = gate,
        };
        await run.RunAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task RunVisualAsync(MediaInfo media, VisualBranch spec, OnnxSession session, WindowAccumulator emi, int batchSize, SemaphoreSlim? gate, Action<double> scored, CancellationToken cancellationToken)
    {
        await using var decoder = VideoDecoder.Start(media, spec.Height, spec.Width, spec.FrameRate, spec.Mean, spec.Std, _tools, cancellationToken);
        var segmentFrames = (int)Math.Round(spec.SegmentSeconds * spec.FrameRate);
        // No action-unit extractor ships with the engine: the contract says to feed zeros.
        var zeroAus = new float[batchSize * segmentFrames * spec.ActionUnits];
        var run = new BranchRun
        {
            Decoder = decoder,
            Session = session,
            SegmentUnits = segmentFrames,
            OverlapUnits = (int)Math.Round(spec.OverlapSeconds * spec.FrameRate),
            BatchSize = batchSize,
            StreamOffsetSeconds = media.Video!.StartTime,
            OutputRateHz = spec.OutputRateHz,
            Inputs = (data, count, frames) =>
            [
                new OnnxInput(spec.Inputs.Frames.Name, data, [count, frames, 3, spec.Height, spec.Width]),
                new OnnxInput(spec.Inputs.Aus.Name, zeroAus.AsMemory(0, count * frames * spec.ActionUnits), [count, frames, spec.ActionUnits]),
            ],
            StepOutputs = [(spec.Outputs.EmiSteps.Name, emi)],
            Scored = scored,
            InferenceGate = gate,
        };
        await run.RunAsync(cancellationToken).ConfigureAwait(false);
    }

    private static List<TimelineWindow> Fuse(ModelBundle bundle, double duration, double window, double hop, WindowAccumulator? audio, WindowAccumulator? vad, WindowAccumulator? visual)
    {
        var audioWeight = bundle.FusionWeight(AudioBranchName);
        var visualWeight = bundle.FusionWeight(VisualBranchName);
        var count = Math.Max(audio?.WindowCount ?? 0, visual?.WindowCount ?? 0);
        var windows = new List<TimelineWindow>(count);
        for (var k = 0; k < count; k++)
        {
            var a = audio is not null && audio.Has(k) ? audio.Mean(k) : null;
            var v = visual is not null && visual.Has(k) ? visual.Mean(k) : null;
            // Decoders can run a few milliseconds past the container's duration (codec priming); a window that
            // starts after the end would describe those milliseconds only.
            if ((a is null && v is null) || (duration > 0 && k * hop >= duration))
            {
                continue;
            }

            var fused = new float[bundle.Emotions.Count];
            var wa = a is null ? 0 : audioWeight;
            var wv = v is null ? 0 : visualWeight;
            var total = wa + wv;
            for (var e = 0; e < fused.Length; e++)
            {
                var sum = (wa * (a?[e] ?? 0)) + (wv * (v?[e] ?? 0));
                fused[e] = total > 0 ? (float)(sum / total) : float.NaN;
            }

            var start = k * hop;
            var end = start + window;
            if (duration > start && end > duration)
            {
                end = duration;
            }

            windows.Add(new TimelineWindow(start, end, fused, vad is not null && vad.Has(k) ? vad.Mean(k) : null, a, v));
        }

        return windows;
    }

    private static TimelineWindow? Aggregate(List<TimelineWindow> windows, double duration)
    {
        if (windows.Count == 0)
        {
            return null;
        }

        static float[]? Mean(IEnumerable<IReadOnlyList<float>?> rows)
        {
            float[]? result = null;
            double[]? sums = null;
            var n = 0;
            foreach (var row in rows)
            {
                if (row is null)
                {
                    continue;
                }

                sums ??= new double[row.Count];
                for (var i = 0; i < row.Count; i++)
                {
                    sums[i] += row[i];
                }

                n++;
            }

            if (sums is not null)
            {
                result = sums.Select(s => (float)(s / n)).ToArray();
            }

            return result;
        }

        return new TimelineWindow(
            0,
            Math.Max(duration, windows[^1].EndSeconds),
            Mean(windows.Select(w => w.Emi))!,
            Mean(windows.Select(w => w.Vad)),
            Mean(windows.Select(w => w.AudioEmi)),
            Mean(windows.Select(w => w.VisualEmi)));
    }

    /// <summary>Creates the bundle's sessions now instead of on its first recording.</summary>
    public void Preload(ModelBundle bundle) => SessionsFor(bundle);

    /// <summary>The sessions the pipeline uses for a bundle (the benchmark times them without the pipeline).</summary>
    internal (OnnxSession? Audio, OnnxSession? Visual) SessionsForBenchmark(ModelBundle bundle)
    {
        var sessions = SessionsFor(bundle);
        return (sessions.Audio, sessions.Visual);
    }

    private BundleSessions SessionsFor(ModelBundle bundle)
    {
        var key = $"{bundle.Directory}|{bundle.Name}|{bundle.Version}";
        var lazy = _sessions.GetOrAdd(key, _ => new Lazy<BundleSessions>(() => new BundleSessions(
            bundle.AudioModelPath is { } audio ? _runtime.OpenSession(audio, _sessionOptions, _logger) : null,
            bundle.VisualModelPath is { } visual ? _runtime.OpenSession(visual, _sessionOptions, _logger) : null)));
        return lazy.Value;
    }

    public void Dispose()
    {
        foreach (var lazy in _sessions.Values)
        {
            if (lazy.IsValueCreated)
            {
                lazy.Value.Audio?.Dispose();
                lazy.Value.Visual?.Dispose();
            }
        }

        _sessions.Clear();
    }

    private sealed record BundleSessions(OnnxSession? Audio, OnnxSession? Visual);
}
