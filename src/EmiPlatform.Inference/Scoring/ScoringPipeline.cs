using System.Collections.Concurrent;
using EmiPlatform.Bundles;
using EmiPlatform.Bundles.Features;
using EmiPlatform.Inference.Faces;
using EmiPlatform.Inference.Onnx;
using EmiPlatform.Media;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EmiPlatform.Inference.Scoring;

/// <summary>
/// The scoring pipeline: runs a recording's branches side by side and fuses them. Where it runs
/// (<see cref="Placement"/>) is decided once, when it is created; each model of a bundle is loaded once per device on
/// first use and shared by every recording scored at the same time (<see cref="ModelCache"/>). Each recording runs on
/// one device, the least busy one (<see cref="DeviceSlots"/>); its branches are <see cref="BranchRuns"/> and their
/// windows are fused by <see cref="TimelineFusion"/>. Dispose the pipeline to release the sessions.
/// </summary>
public sealed class ScoringPipeline : IScoringPipeline, IDisposable
{
    /// <summary>Segments per call on CUDA unless configured (<c>Inference:CudaSegmentsPerCall</c>).</summary>
    public const int DefaultCudaSegmentsPerCall = 8;

    /// <summary>The word a job's error starts with when a face-only recording never showed the face.</summary>
    public const string NoFaceSeenCode = "no-face-seen";

    private readonly MediaTools _tools;
    private readonly int _segmentsPerCall;
    private readonly DeviceSlots _slots;
    private readonly ModelCache _models;

    /// <param name="segmentsPerCall">
    /// Equal-length segments per ONNX Runtime call, within a recording and across the recordings scored at the same
    /// time (a shared <see cref="SegmentBatcher"/> per model); 1 turns cross-recording batching off. Default: 1 on
    /// the CPU (its cores are busy with one segment already), <see cref="DefaultCudaSegmentsPerCall"/> on CUDA.
    /// </param>
    public ScoringPipeline(OnnxSessionOptions? sessionOptions = null, MediaTools? tools = null, ILogger? logger = null, int? segmentsPerCall = null)
    {
        sessionOptions ??= new OnnxSessionOptions();
        _tools = tools ?? MediaTools.FromEnvironment();
        Placement = InferencePlacement.Resolve(sessionOptions, logger ?? NullLogger.Instance);
        _segmentsPerCall = Math.Max(1, segmentsPerCall ?? (Placement.UsesCuda ? DefaultCudaSegmentsPerCall : 1));
        _slots = new DeviceSlots(Placement.CudaDevices.Count);
        _models = new ModelCache(sessionOptions, Placement, _segmentsPerCall);
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
        var slot = _slots.TakeLeastBusy();
        try
        {
            return await ScoreOnAsync(slot, media, bundle, options, progress, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _slots.Release(slot);
        }
    }

    private async Task<ScoringResult> ScoreOnAsync(int slot, MediaInfo media, ModelBundle bundle, ScoringOptions options, IProgress<ScoringProgress>? progress, CancellationToken cancellationToken)
    {
        var models = _models.For(bundle)[slot];
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
        var perception = faceCoverage is not null && bundle.Visual!.Face!.Landmarks is not null
            ? new WindowAccumulator(window, hop, Perception.FacePerception.Columns.Count + 1)
            : null;

        (int Frames, int WithFace)? faceFrames = null;
        Speech.SpeechTrack? speech = null;
        var scored = new double[2];
        var branches = (useAudio ? 1 : 0) + (useVisual ? 1 : 0);
        void Report(int branch, double seconds)
        {
            scored[branch] = seconds;
            progress?.Report(new ScoringProgress((scored[0] + scored[1]) / branches, media.Duration));
        }

        var audioCache = useAudio ? await CacheUseAsync(options, FeatureCacheKey.For(options.RecordingSha256 ?? string.Empty, bundle.Audio!), bundle.Audio!.FeatureWidth, bundle.Audio.SampleRate, bundle.Audio.OverlapSeconds, cancellationToken).ConfigureAwait(false) : null;
        var visualCache = useVisual ? await CacheUseAsync(options, FeatureCacheKey.For(options.RecordingSha256 ?? string.Empty, bundle.Visual!), bundle.Visual!.FeatureWidth, bundle.Visual.FrameRate, bundle.Visual.OverlapSeconds, cancellationToken).ConfigureAwait(false) : null;

        using var failFast = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var gate = options.ConcurrentBranches ? null : new SemaphoreSlim(1, 1);
        var tasks = new List<Task>(2);
        if (useAudio)
        {
            tasks.Add(RunGuardedAsync(async () => speech = await BranchRuns.AudioAsync(media, bundle.Audio!, models, audioEmi, audioVad, batchSize, gate, _tools, s => Report(0, s), audioCache, failFast.Token).ConfigureAwait(false), failFast));
        }

        if (useVisual)
        {
            tasks.Add(RunGuardedAsync(async () => faceFrames = await BranchRuns.VisualAsync(media, bundle.Visual!, models, visualEmi, faceCoverage, perception, batchSize, gate, _tools, s => Report(useAudio ? 1 : 0, s), visualCache, failFast.Token).ConfigureAwait(false), failFast));
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

        var signals = new RecordingSignals
        {
            AudioEmi = useAudio ? audioEmi : null,
            Vad = useAudio ? audioVad : null,
            VisualEmi = useVisual ? visualEmi : null,
            FaceCoverage = faceCoverage,
            Perception = perception,
            Speech = speech,
            SpeechOffsetSeconds = media.Audio?.StartTime ?? 0,
            FaceFrames = faceFrames,
        };
        var timeline = TimelineFusion.Fuse(bundle, media.Duration, window, hop, signals);
        if (!useAudio && faceFrames is { WithFace: 0 } frames)
        {
            // Masked frames leave a face-only recording with no window at all: say why rather than succeed empty.
            var noAudio = media.HasAudio ? $"bundle '{bundle.Name}' has no audio branch" : "the recording has no audio";
            throw new MediaDecodeException(
                MediaErrorKind.NoFaceSeen,
                $"{NoFaceSeenCode}: the bundle's face stage found no face in {frames.Frames} frames of '{Path.GetFileName(media.Path)}' and {noAudio}; nothing was scored.");
        }
        foreach (var use in new[] { audioCache, visualCache })
        {
            if (use?.ToStore is { } entry)
            {
                await options.FeatureCache!.WriteAsync(use.Key, entry, cancellationToken).ConfigureAwait(false);
            }
        }

        var model = (useAudio ? models.Audio : models.Visual)!.Model;
        var features = new List<BranchFeatures>(2);
        if (useAudio)
        {
            features.Add(new BranchFeatures(FeatureCacheKey.Audio, bundle.Audio!.Backbone.Sha256, audioCache?.Hit is not null));
        }

        if (useVisual)
        {
            features.Add(new BranchFeatures(FeatureCacheKey.Visual, bundle.Visual!.Backbone.Sha256, visualCache?.Hit is not null));
        }

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
            TimelineFusion.Aggregate(timeline, media.Duration, signals))
        {
            Features = features,
        };
    }

    /// <summary>The branch's cache entry when one fits (heads only), else a recorder for the entry this score will store; null without a cache.</summary>
    private static async Task<BranchCacheUse?> CacheUseAsync(ScoringOptions options, FeatureCacheKey key, int width, double unitsPerSecond, double overlapSeconds, CancellationToken cancellationToken)
    {
        if (options.FeatureCache is not { } cache)
        {
            return null;
        }

        var entry = await cache.ReadAsync(key, cancellationToken).ConfigureAwait(false);
        if (entry is not null && FeatureCacheEntry.Matches(entry, key) && entry.Width == width && entry.Segments.Count > 0)
        {
            return new BranchCacheUse(key, new CachedFeatures(entry), null);
        }

        return new BranchCacheUse(key, null, new FeatureRecorder(key, width, unitsPerSecond, (int)Math.Round(overlapSeconds * unitsPerSecond)));
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

    /// <summary>Loads the bundle's models on every device now instead of on its first recording.</summary>
    public void Preload(ModelBundle bundle) => _models.For(bundle);

    /// <summary>The models the pipeline uses for a bundle on its first device (the benchmark times them without the pipeline).</summary>
    internal (BranchModel? Audio, BranchModel? Visual, OnnxModel? Face) ModelsForBenchmark(ModelBundle bundle)
    {
        var models = _models.For(bundle)[0];
        return (models.Audio, models.Visual, models.Face);
    }

    /// <summary>The speech stage's and the face perception's models on the first device (the benchmark's raw run includes them).</summary>
    internal (OnnxModel? Speech, OnnxModel? Landmarks, OnnxModel? Expressions) StagesForBenchmark(ModelBundle bundle)
    {
        var models = _models.For(bundle)[0];
        return (models.Speech, models.Landmarks, models.Expressions);
    }

    /// <summary>Calls and segments of the bundle's batchers on the first device (the tests check that batches were shared).</summary>
    internal ((int Calls, int Segments) Audio, (int Calls, int Segments) Visual) BatchCounts(ModelBundle bundle)
    {
        var models = _models.For(bundle)[0];
        return (models.Audio?.Batcher?.Counts ?? default, models.Visual?.Batcher?.Counts ?? default);
    }

    public void Dispose() => _models.Dispose();
}
