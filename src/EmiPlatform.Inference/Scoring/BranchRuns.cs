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
    public static async Task<SpeechTrack?> AudioAsync(MediaInfo media, AudioBranch spec, BundleModels models, WindowAccumulator emi, WindowAccumulator vad, int batchSize, SemaphoreSlim? gate, MediaTools tools, Action<double> scored, CancellationToken cancellationToken)
    {
        var model = models.Audio!;
        var speech = spec.Speech is { } stage
            ? await SpeechTrack.DetectAsync(media, models.Speech!, stage.Threshold, tools, cancellationToken).ConfigureAwait(false)
            : null;
        await using var decoder = AudioDecoder.Start(media, spec.SampleRate, tools, cancellationToken);
        var run = new BranchRun
        {
            Decoder = decoder,
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
        return speech;
    }

    /// <param name="perception">per perceived frame, <see cref="FacePerception.Columns"/> and the face confidence; null without landmarks</param>
    /// <returns>the face stage's frames and frames with the face; null without a face stage</returns>
    public static async Task<(int Frames, int WithFace)?> VisualAsync(MediaInfo media, VisualBranch spec, BundleModels models, WindowAccumulator emi, WindowAccumulator? coverage, WindowAccumulator? perception, int batchSize, SemaphoreSlim? gate, MediaTools tools, Action<double> scored, CancellationToken cancellationToken)
    {
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
        return faces?.Counts;
    }
}
