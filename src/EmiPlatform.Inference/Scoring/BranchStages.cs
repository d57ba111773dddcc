using EmiPlatform.Bundles;

namespace EmiPlatform.Inference.Scoring;

/// <summary>
/// How a branch's two graphs are fed (bundle contract v2): the backbone over a segment's waveform (audio) or over its
/// frames one row each (visual, frame by frame when the graph's batch is fixed at 1, after an optional preprocess
/// graph), then the head over the segment's features [segments, steps, <see cref="FeatureWidth"/>] and, for the visual
/// branch, its action units.
/// </summary>
internal sealed record BranchStages
{
    public required string BackboneInput { get; init; }

    public required string BackboneOutput { get; init; }

    /// <summary>True for the visual branch: the backbone sees one frame per row and gives one feature row per frame.</summary>
    public bool PerFrame { get; init; }

    /// <summary>The backbone's batch axis is fixed at 1: one call per frame.</summary>
    public bool FrameByFrame { get; init; }

    /// <summary>[3, H, W] of one frame (visual).</summary>
    public long[] FrameShape { get; init; } = [];

    public string? PreprocessInput { get; init; }

    public string? PreprocessOutput { get; init; }

    public required int FeatureWidth { get; init; }

    public required string HeadFeatures { get; init; }

    /// <summary>The visual head's action-unit input; null for audio.</summary>
    public string? HeadAus { get; init; }

    public required IReadOnlyList<string> HeadOutputs { get; init; }

    public static BranchStages For(AudioBranch spec) => new()
    {
        BackboneInput = spec.Backbone.Input.Name,
        BackboneOutput = spec.Backbone.Output.Name,
        FeatureWidth = spec.FeatureWidth,
        HeadFeatures = spec.Head.Inputs.Features.Name,
        HeadOutputs = [spec.Head.Outputs.EmiSteps.Name, spec.Head.Outputs.VadSteps.Name],
    };

    public static BranchStages For(VisualBranch spec) => new()
    {
        BackboneInput = spec.Backbone.Preprocess?.Input.Name ?? spec.Backbone.Input.Name,
        BackboneOutput = spec.Backbone.Output.Name,
        PerFrame = true,
        FrameByFrame = spec.BackboneFrameByFrame,
        FrameShape = [3, spec.Height, spec.Width],
        PreprocessInput = spec.Backbone.Preprocess is null ? null : spec.Backbone.Input.Name,
        PreprocessOutput = spec.Backbone.Preprocess?.Output.Name,
        FeatureWidth = spec.FeatureWidth,
        HeadFeatures = spec.Head.Inputs.Features.Name,
        HeadAus = spec.Head.Inputs.Aus.Name,
        HeadOutputs = [spec.Head.Outputs.EmiSteps.Name],
    };
}
