using EmiPlatform.Bundles;
using EmiPlatform.Inference.Faces;
using EmiPlatform.Inference.Onnx;
using EmiPlatform.Inference.Perception;
using EmiPlatform.Inference.Speech;
using EmiPlatform.Media;

namespace EmiPlatform.Inference.Scoring;

/// <summary>
/// The two branches of a recording as <see cref="BranchRun"/>s: each starts its decoder, shapes its model's inputs from
/// the manifest and feeds its step outputs into the window accumulators.
/// </summary>
internal static class BranchRuns
{
    /// <returns>the speech stage's track; null without a speech stage</returns>
    public static async Task<SpeechTrack?> AudioAsync(MediaInfo media, AudioBranch spec, BundleModels models, WindowAccumulator emi, WindowAccumulator vad, int batchSize, SemaphoreSlim? gate, MediaTools tools, Action<double> scored, BranchCacheUse? cache, CancellationToken cancellationToken)
    {
        var model = models.Audio!;
        var speech = spec.Speech is { } stage
            ? await SpeechTrack.DetectAsync(media, models.Speech!, stage.Threshold, tools, cancellationToken).ConfigureAwait(false)
            : null;
        // A cache hit needs no audio decoded for the branch: its segments and features are in the entry.
        await using var decoder = cache?.Hit is null ? AudioDecoder.Start(media, spec.SampleRate, tools, cancellationToken) : null;
        var run = new BranchRun
        {
            Decoder = decoder,
            CachedSegments = cache?.Hit?.Segments(),
            Features = cache?.Features,
            UnitsPerSecond = spec.SampleRate,
            Model = model,
            Batcher = model.Batcher,
            SegmentUnits = (int)Math.Round(spec.SegmentSeconds * spec.SampleRate),
            OverlapUnits = (int)Math.Round(spec.OverlapSeconds * spec.SampleRate),
            MinimumUnits = spec.ReceptiveFieldSamples,
            BatchSize = batchSize,
            StreamOffsetSeconds = media.Audio!.StartTime,
            OutputRateHz = spec.OutputRateHz,
            StepOutputs = [(spec.Head.Outputs.EmiSteps.Name, emi), (spec.Head.Outputs.VadSteps.Name, vad)],
            // mask: drop leaves out the steps whose receptive field's centre is in a non-speech 32 ms step.
            UnitSeen = spec.Speech is { Mask: SpeechStage.Drop }
                ? sample => speech!.IsSpeechAt((sample + (spec.ReceptiveFieldSamples / 2.0)) / spec.SampleRate)
                : null,
            Scored = scored,
            InferenceGate = gate,
        };
        await run.RunAsync(cancellationToken).ConfigureAwait(false);
        if (cache?.Recorder is { } recorder)
        {
            cache.ToStore = recorder.ToEntry(null);
        }

        return speech;
    }

    /// <param name="perception">per perceived frame, <see cref="FacePerception.Columns"/> and the face confidence; null without landmarks</param>
    /// <returns>the face stage's frames and frames with the face; null without a face stage</returns>
    public static async Task<(int Frames, int WithFace)?> VisualAsync(MediaInfo media, VisualBranch spec, BundleModels models, WindowAccumulator emi, WindowAccumulator? coverage, WindowAccumulator? perception, int batchSize, SemaphoreSlim? gate, MediaTools tools, Action<double> scored, BranchCacheUse? cache, CancellationToken cancellationToken)
    {
        // Heads only, nothing decoded: the entry holds every segment's features and which frames showed the face. A
        // face stage that measures more than the crop (FaceMesh, expressions, an AU model) still needs the frames.
        if (cache?.Hit is { } hit && spec.Face is not { Landmarks: not null } and not { ActionUnitModel: not null })
        {
            return await HeadsOnlyVisualAsync(media, spec, models.Visual!, hit, emi, coverage, batchSize, gate, scored, cancellationToken).ConfigureAwait(false);
        }

        var model = models.Visual!;
        using var perceiver = spec.Face is not null && models.Landmarks is not null ? new FacePerceiver(models.Landmarks, models.Expressions) : null;
        var offset = media.Video!.StartTime;
        var values = new float[FacePerception.Columns.Count + 1];
        using var faces = spec.Face is null ? null : new FaceCropFrames(models.Face!, spec, models.ActionUnits, perceiver)
        {
            // Called on the decoder's one thread; the accumulator is read once the branch has finished.
            Perceived = perception is null ? null : (frame, perceived) =>
            {
                if (perceived is null)
                {
                    return;
                }

                var at = 0;
                foreach (var value in perceived.Values)
                {
                    values[at++] = value;
                }

                values[at] = (float)perceived.FaceConfidence;
                perception.Add((frame / spec.FrameRate) + offset, values);
            },
        };
        IFrameShaper shaper = faces is null ? new CoverCropFrames(spec.Height, spec.Width, spec.Mean, spec.Std) : faces;
        await using var decoder = VideoDecoder.Start(media, shaper, spec.FrameRate, tools, cancellationToken);
        var segmentFrames = (int)Math.Round(spec.SegmentSeconds * spec.FrameRate);
        var run = new BranchRun
        {
            Decoder = decoder,
            Features = cache?.Features,
            UnitsPerSecond = spec.FrameRate,
            Model = model,
            Batcher = model.Batcher,
            SegmentUnits = segmentFrames,
            OverlapUnits = (int)Math.Round(spec.OverlapSeconds * spec.FrameRate),
            BatchSize = batchSize,
            StreamOffsetSeconds = offset,
            OutputRateHz = spec.OutputRateHz,
            // The face stage's action-unit model per frame with the face; zeros without one (the reference bundle).
            SideFloats = spec.ActionUnits,
            FillSide = faces is { HasActionUnits: true } ? faces.FillActionUnits : null,
            StepOutputs = [(spec.Head.Outputs.EmiSteps.Name, emi)],
            UnitSeen = faces is null ? null : faces.Seen,
            Coverage = coverage,
            Scored = scored,
            InferenceGate = gate,
        };
        await run.RunAsync(cancellationToken).ConfigureAwait(false);
        if (cache?.Recorder is { } recorder)
        {
            cache.ToStore = recorder.ToEntry(faces is null ? null : faces.Seen);
        }

        return faces?.Counts;
    }

    private static async Task<(int Frames, int WithFace)?> HeadsOnlyVisualAsync(MediaInfo media, VisualBranch spec, BranchModel model, CachedFeatures hit, WindowAccumulator emi, WindowAccumulator? coverage, int batchSize, SemaphoreSlim? gate, Action<double> scored, CancellationToken cancellationToken)
    {
        var run = new BranchRun
        {
            CachedSegments = hit.Segments(),
            Features = hit,
            UnitsPerSecond = spec.FrameRate,
            Model = model,
            Batcher = model.Batcher,
            SegmentUnits = (int)Math.Round(spec.SegmentSeconds * spec.FrameRate),
            OverlapUnits = (int)Math.Round(spec.OverlapSeconds * spec.FrameRate),
            BatchSize = batchSize,
            StreamOffsetSeconds = media.Video!.StartTime,
            OutputRateHz = spec.OutputRateHz,
            SideFloats = spec.ActionUnits,
            StepOutputs = [(spec.Head.Outputs.EmiSteps.Name, emi)],
            UnitSeen = spec.Face is null ? null : hit.Seen,
            Coverage = coverage,
            Scored = scored,
            InferenceGate = gate,
        };
        await run.RunAsync(cancellationToken).ConfigureAwait(false);
        if (spec.Face is null)
        {
            return null;
        }

        var last = hit.Entry.Segments.Count == 0 ? null : hit.Entry.Segments[^1];
        var frames = last is null ? 0 : (int)(last.StartUnit + last.Units);
        var unseen = hit.Entry.Unseen.Sum(r => (int)(r[1] - r[0]));
        return (frames, frames - unseen);
    }
}
