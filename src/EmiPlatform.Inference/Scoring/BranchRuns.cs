using EmiPlatform.Bundles;
using EmiPlatform.Inference.Faces;
using EmiPlatform.Inference.Onnx;
using EmiPlatform.Media;

namespace EmiPlatform.Inference.Scoring;

/// <summary>
/// The two branches of a recording as <see cref="BranchRun"/>s: each starts its decoder, shapes its model's inputs from
/// the manifest and feeds its step outputs into the window accumulators.
/// </summary>
internal static class BranchRuns
{
    public static async Task AudioAsync(MediaInfo media, AudioBranch spec, BranchModel model, WindowAccumulator emi, WindowAccumulator vad, int batchSize, SemaphoreSlim? gate, MediaTools tools, Action<double> scored, CancellationToken cancellationToken)
    {
        await using var decoder = AudioDecoder.Start(media, spec.SampleRate, tools, cancellationToken);
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

    /// <returns>the face stage's frames and frames with the face; null without a face stage</returns>
    public static async Task<(int Frames, int WithFace)?> VisualAsync(MediaInfo media, VisualBranch spec, BundleModels models, WindowAccumulator emi, WindowAccumulator? coverage, int batchSize, SemaphoreSlim? gate, MediaTools tools, Action<double> scored, CancellationToken cancellationToken)
    {
        var model = models.Visual!;
        using var faces = spec.Face is null ? null : new FaceCropFrames(models.Face!, spec, models.ActionUnits);
        IFrameShaper shaper = faces is null ? new CoverCropFrames(spec.Height, spec.Width, spec.Mean, spec.Std) : faces;
        await using var decoder = VideoDecoder.Start(media, shaper, spec.FrameRate, tools, cancellationToken);
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
}
