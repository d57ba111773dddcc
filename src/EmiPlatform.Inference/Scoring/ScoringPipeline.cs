using System.Collections.Concurrent;
using EmiPlatform.Bundles;
using EmiPlatform.Inference.Faces;
using EmiPlatform.Inference.Onnx;
using EmiPlatform.Media;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EmiPlatform.Inference.Scoring;

/// <summary>
/// The scoring pipeline. Where it runs (<see cref="Placement"/>) is decided once, when it is created; each model of
/// a bundle is loaded once per device on first use and shared by every recording scored at the same time (creating
/// a session costs far more than a segment's inference). Each recording runs on one device, the least busy one.
/// Dispose the pipeline to release the sessions.
/// </summary>
public sealed class ScoringPipeline : IScoringPipeline, IDisposable
{
    /// <summary>Segments per call on CUDA unless configured (<c>Inference:CudaSegmentsPerCall</c>).</summary>
    public const int DefaultCudaSegmentsPerCall = 8;

    /// <summary>The word a job's error starts with when a face-only recording never showed the face.</summary>
    public const string NoFaceSeenCode = "no-face-seen";

    private const string AudioBranchName = "audio";
    private const string VisualBranchName = "visual";

    private readonly OnnxSessionOptions _sessionOptions;
    private readonly MediaTools _tools;
    private readonly int _segmentsPerCall;
    private readonly int[] _busy;
    private readonly ConcurrentDictionary<string, Lazy<BundleModels[]>> _models = new(StringComparer.Ordinal);

    /// <param name="segmentsPerCall">
    /// Equal-length segments per ONNX Runtime call, within a recording and across the recordings scored at the same
    /// time (a shared <see cref="SegmentBatcher"/> per model); 1 turns cross-recording batching off. Default: 1 on
    /// the CPU (its cores are busy with one segment already), <see cref="DefaultCudaSegmentsPerCall"/> on CUDA.
    /// </param>
    public ScoringPipeline(OnnxSessionOptions? sessionOptions = null, MediaTools? tools = null, ILogger? logger = null, int? segmentsPerCall = null)
    {
        _sessionOptions = sessionOptions ?? new OnnxSessionOptions();
        _tools = tools ?? MediaTools.FromEnvironment();
        Placement = InferencePlacement.Resolve(_sessionOptions, logger ?? NullLogger.Instance);
        _segmentsPerCall = Math.Max(1, segmentsPerCall ?? (Placement.UsesCuda ? DefaultCudaSegmentsPerCall : 1));
        _busy = new int[Math.Max(1, Placement.CudaDevices.Count)];
    }

    /// <summary>Builds a pipeline from <see cref="InferenceOptions"/> (configuration section <c>Inference</c>).</summary>
    public static ScoringPipeline Create(InferenceOptions options, MediaTools? tools = null, ILogger? logger = null) =>
        new(
            new OnnxSessionOptions
            {
                ExecutionProvider = options.ExecutionProvider,
                IntraOpThreads = options.IntraOpThreads,
                CudaDevices = options.CudaDevices,
                GpuMemoryLimitBytes = options.GpuMemoryLimitMb * 1024L * 1024L,
            },
            tools ?? MediaTools.FromEnvironment(),
            logger,
            options.CudaSegmentsPerCall > 0 ? options.CudaSegmentsPerCall : null);

    /// <summary>CPU, or the CUDA devices the recordings spread over.</summary>
    public InferencePlacement Placement { get; }

    /// <summary>Equal-length segments per ONNX Runtime call (see the constructor).</summary>
    public int SegmentsPerCall => _segmentsPerCall;

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
        var slot = TakeLeastBusySlot();
        try
        {
            return await ScoreOnAsync(slot, media, bundle, options, progress, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _busy[slot]);
        }
    }

    private int TakeLeastBusySlot()
    {
        var best = 0;
        for (var i = 1; i < _busy.Length; i++)
        {
            if (Volatile.Read(ref _busy[i]) < Volatile.Read(ref _busy[best]))
            {
                best = i;
            }
        }

        Interlocked.Increment(ref _busy[best]);
        return best;
    }

    private async Task<ScoringResult> ScoreOnAsync(int slot, MediaInfo media, ModelBundle bundle, ScoringOptions options, IProgress<ScoringProgress>? progress, CancellationToken cancellationToken)
    {
        var models = ModelsFor(bundle)[slot];
        var batchSize = Math.Max(options.BatchSize, _segmentsPerCall);

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
        var faceCoverage = useVisual && bundle.Visual!.Face is not null ? new WindowAccumulator(window, hop, 1) : null;

        (int Frames, int WithFace)? faceFrames = null;
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
            tasks.Add(RunGuardedAsync(() => RunAudioAsync(media, bundle.Audio!, models.Audio!, audioEmi, audioVad, batchSize, gate, s => Report(0, s), failFast.Token), failFast));
        }

        if (useVisual)
        {
            tasks.Add(RunGuardedAsync(async () => faceFrames = await RunVisualAsync(media, bundle.Visual!, models, visualEmi, faceCoverage, batchSize, gate, s => Report(useAudio ? 1 : 0, s), failFast.Token).ConfigureAwait(false), failFast));
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

        var timeline = Fuse(bundle, media.Duration, window, hop, useAudio ? audioEmi : null, useAudio ? audioVad : null, useVisual ? visualEmi : null, faceCoverage);
        if (!useAudio && faceFrames is { WithFace: 0 } frames)
        {
            // Masked frames leave a face-only recording with no window at all: say why rather than succeed empty.
            var noAudio = media.HasAudio ? $"bundle '{bundle.Name}' has no audio branch" : "the recording has no audio";
            throw new MediaDecodeException(
                MediaErrorKind.NoFaceSeen,
                $"{NoFaceSeenCode}: the bundle's face stage found no face in {frames.Frames} frames of '{Path.GetFileName(media.Path)}' and {noAudio}; nothing was scored.");
        }
        var model = (useAudio ? models.Audio : models.Visual)!.Model;
        return new ScoringResult(
            bundle.Name,
            bundle.Version,
            bundle.Trained,
            model.ExecutionProvider,
            model.Device,
            media.Duration,
            useAudio,
            useVisual,
            bundle.Emotions,
            bundle.Vad,
            timeline,
            Aggregate(timeline, media.Duration, faceFrames));
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

    private async Task RunAudioAsync(MediaInfo media, AudioBranch spec, BranchModel model, WindowAccumulator emi, WindowAccumulator vad, int batchSize, SemaphoreSlim? gate, Action<double> scored, CancellationToken cancellationToken)
    {
        await using var decoder = AudioDecoder.Start(media, spec.SampleRate, _tools, cancellationToken);
        var run = new BranchRun
        {
            Decoder = decoder,
            Model = model.Model,
            Batcher = model.Batcher,
            SegmentUnits = (int)Math.Round(spec.SegmentSeconds * spec.SampleRate),
            OverlapUnits = (int)Math.Round(spec.OverlapSeconds * spec.SampleRate),
            MinimumUnits = spec.ReceptiveFieldSamples,
            BatchSize = batchSize,
            StreamOffsetSeconds = media.Audio!.StartTime,
            OutputRateHz = spec.OutputRateHz,
            Inputs = (data, _, count, units) => [new OnnxInput(spec.Input.Name, data, [count, units])],
            StepOutputs = [(spec.Outputs.EmiSteps.Name, emi), (spec.Outputs.VadSteps.Name, vad)],
            Scored = scored,
            InferenceGate = gate,
        };
        await run.RunAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<(int Frames, int WithFace)?> RunVisualAsync(MediaInfo media, VisualBranch spec, BundleModels models, WindowAccumulator emi, WindowAccumulator? coverage, int batchSize, SemaphoreSlim? gate, Action<double> scored, CancellationToken cancellationToken)
    {
        var model = models.Visual!;
        using var faces = spec.Face is null ? null : new FaceCropFrames(models.Face!, spec, models.ActionUnits);
        IFrameShaper shaper = faces is null ? new CoverCropFrames(spec.Height, spec.Width, spec.Mean, spec.Std) : faces;
        await using var decoder = VideoDecoder.Start(media, shaper, spec.FrameRate, _tools, cancellationToken);
        var segmentFrames = (int)Math.Round(spec.SegmentSeconds * spec.FrameRate);
        var run = new BranchRun
        {
            Decoder = decoder,
            Model = model.Model,
            Batcher = model.Batcher,
            SegmentUnits = segmentFrames,
            OverlapUnits = (int)Math.Round(spec.OverlapSeconds * spec.FrameRate),
            BatchSize = batchSize,
            StreamOffsetSeconds = media.Video!.StartTime,
            OutputRateHz = spec.OutputRateHz,
            Inputs = (data, aus, count, frames) =>
            [
                new OnnxInput(spec.Inputs.Frames.Name, data, [count, frames, 3, spec.Height, spec.Width]),
                new OnnxInput(spec.Inputs.Aus.Name, aus, [count, frames, spec.ActionUnits]),
            ],
            // The face stage's action-unit model per frame with the face; zeros without one (the reference bundle).
            SideFloats = spec.ActionUnits,
            FillSide = faces is { HasActionUnits: true } ? faces.FillActionUnits : null,
            StepOutputs = [(spec.Outputs.EmiSteps.Name, emi)],
            UnitSeen = faces is null ? null : faces.Seen,
            Coverage = coverage,
            Scored = scored,
            InferenceGate = gate,
        };
        await run.RunAsync(cancellationToken).ConfigureAwait(false);
        return faces?.Counts;
    }

    private static List<TimelineWindow> Fuse(ModelBundle bundle, double duration, double window, double hop, WindowAccumulator? audio, WindowAccumulator? vad, WindowAccumulator? visual, WindowAccumulator? coverage)
    {
        var audioWeight = bundle.FusionWeight(AudioBranchName);
        var visualWeight = bundle.FusionWeight(VisualBranchName);
        var count = Math.Max(Math.Max(audio?.WindowCount ?? 0, visual?.WindowCount ?? 0), coverage?.WindowCount ?? 0);
        var windows = new List<TimelineWindow>(count);
        for (var k = 0; k < count; k++)
        {
            var a = audio is not null && audio.Has(k) ? audio.Mean(k) : null;
            var v = visual is not null && visual.Has(k) ? visual.Mean(k) : null;
            double? seen = coverage is not null && coverage.Has(k) ? coverage.Mean(k)[0] : null;
            // Decoders can run a few milliseconds past the container's duration (codec priming); a window that
            // starts after the end would describe those milliseconds only. A window no branch scored (video only,
            // the face never seen in it) has no values to give: it is left out, and the recording's face coverage
            // still counts its frames.
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

            windows.Add(new TimelineWindow(start, end, fused, vad is not null && vad.Has(k) ? vad.Mean(k) : null, a, v, seen));
        }

        return windows;
    }

    private static TimelineWindow? Aggregate(List<TimelineWindow> windows, double duration, (int Frames, int WithFace)? faceFrames)
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
            Mean(windows.Select(w => w.VisualEmi)),
            faceFrames is { Frames: > 0 } f ? f.WithFace / (double)f.Frames : faceFrames is null ? null : 0);
    }

    /// <summary>Loads the bundle's models on every device now instead of on its first recording.</summary>
    public void Preload(ModelBundle bundle) => ModelsFor(bundle);

    /// <summary>The models the pipeline uses for a bundle on its first device (the benchmark times them without the pipeline).</summary>
    internal (OnnxModel? Audio, OnnxModel? Visual, OnnxModel? Face) ModelsForBenchmark(ModelBundle bundle)
    {
        var models = ModelsFor(bundle)[0];
        return (models.Audio?.Model, models.Visual?.Model, models.Face);
    }

    /// <summary>Calls and segments of the bundle's batchers on the first device (the tests check that batches were shared).</summary>
    internal ((int Calls, int Segments) Audio, (int Calls, int Segments) Visual) BatchCounts(ModelBundle bundle)
    {
        var models = ModelsFor(bundle)[0];
        return (models.Audio?.Batcher?.Counts ?? default, models.Visual?.Batcher?.Counts ?? default);
    }

    private BundleModels[] ModelsFor(ModelBundle bundle)
    {
        var key = $"{bundle.Directory}|{bundle.Name}|{bundle.Version}";
        var lazy = _models.GetOrAdd(key, _ => new Lazy<BundleModels[]>(() => Load(bundle)));
        return lazy.Value;
    }

    private BundleModels[] Load(ModelBundle bundle)
    {
        int?[] devices = Placement.UsesCuda ? Placement.CudaDevices.Select(d => (int?)d).ToArray() : [null];
        var loaded = new List<BundleModels>(devices.Length);
        try
        {
            foreach (var device in devices)
            {
                var audio = bundle.Audio is { } a ? Open(bundle.AudioModelPath!, device, [a.Outputs.EmiSteps.Name, a.Outputs.VadSteps.Name]) : null;
                BranchModel? visual = null;
                try
                {
                    visual = bundle.Visual is { } v ? Open(bundle.VisualModelPath!, device, [v.Outputs.EmiSteps.Name]) : null;
                }
                catch
                {
                    audio?.Dispose();
                    throw;
                }

                OnnxModel? face = null;
                OnnxModel? actionUnits = null;
                try
                {
                    face = bundle.FaceDetectorPath is { } detector ? OnnxModel.Open(detector, _sessionOptions, device) : null;
                    actionUnits = bundle.ActionUnitModelPath is { } au ? OpenActionUnitModel(bundle, au, device) : null;
                }
                catch
                {
                    audio?.Dispose();
                    visual?.Dispose();
                    face?.Dispose();
                    throw;
                }

                loaded.Add(new BundleModels(audio, visual, face, actionUnits));
            }

            return [.. loaded];
        }
        catch
        {
            foreach (var models in loaded)
            {
                models.Dispose();
            }

            throw;
        }
    }

    /// <summary>Opens the AU model and checks that the graph gives what the manifest says (and the branch takes).</summary>
    private OnnxModel OpenActionUnitModel(ModelBundle bundle, string path, int? device)
    {
        var spec = bundle.Visual!.Face!.ActionUnitModel!;
        var model = OnnxModel.Open(path, _sessionOptions, device);
        var outputs = model.Session.OutputMetadata;
        var width = outputs.TryGetValue(spec.Output.Name, out var output) && output.Dimensions.Length == 2 ? output.Dimensions[1] : (int?)null;
        if (width != bundle.Visual.ActionUnits || !model.Session.InputMetadata.ContainsKey(spec.Input.Name))
        {
            model.Dispose();
            throw new ModelBundleException(
                $"Bundle '{bundle.Name}': {spec.Onnx} has inputs [{string.Join(", ", model.Session.InputMetadata.Keys)}] and outputs " +
                $"[{string.Join(", ", outputs.Select(o => $"{o.Key} [{string.Join(", ", o.Value.Dimensions)}]"))}]; the manifest needs input {spec.Input.Name} " +
                $"and output {spec.Output.Name} [batch, {bundle.Visual.ActionUnits}] (the visual branch's AU input).");
        }

        return model;
    }

    private BranchModel Open(string path, int? device, string[] outputs)
    {
        var model = OnnxModel.Open(path, _sessionOptions, device);
        return new BranchModel(model, _segmentsPerCall > 1 ? new SegmentBatcher(model, outputs, _segmentsPerCall) : null);
    }

    public void Dispose()
    {
        foreach (var lazy in _models.Values)
        {
            if (lazy.IsValueCreated)
            {
                foreach (var models in lazy.Value)
                {
                    models.Dispose();
                }
            }
        }

        _models.Clear();
    }

    private sealed record BranchModel(OnnxModel Model, SegmentBatcher? Batcher) : IDisposable
    {
        public void Dispose()
        {
            Batcher?.DisposeAsync().AsTask().GetAwaiter().GetResult();
            Model.Dispose();
        }
    }

    private sealed record BundleModels(BranchModel? Audio, BranchModel? Visual, OnnxModel? Face, OnnxModel? ActionUnits) : IDisposable
    {
        public void Dispose()
        {
            Audio?.Dispose();
            Visual?.Dispose();
            Face?.Dispose();
            ActionUnits?.Dispose();
        }
    }
}
