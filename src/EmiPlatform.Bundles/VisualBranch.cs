namespace EmiPlatform.Bundles;

/// <summary>
/// The visual branch of a bundle: normalised RGB frames plus action units in, per-frame EMI out, in two graphs: the
/// <see cref="Backbone"/> (one face crop to its features) and the <see cref="Head"/> (a segment's features and action
/// units to EMI).
/// </summary>
public sealed record VisualBranch
{
    public bool Trained { get; init; }

    public double FrameRate { get; init; } = 5.0;

    public double OutputRateHz { get; init; } = 5.0;

    public double SegmentSeconds { get; init; } = 12.0;

    public double OverlapSeconds { get; init; } = 1.0;

    /// <summary>[height, width].</summary>
    public IReadOnlyList<int> ImageSize { get; init; } = [112, 112];

    public string PixelFormat { get; init; } = "rgb24";

    public IReadOnlyList<float> Mean { get; init; } = [0.485f, 0.456f, 0.406f];

    public IReadOnlyList<float> Std { get; init; } = [0.229f, 0.224f, 0.225f];

    /// <summary>Width of the AU input: zeros, or the face stage's <see cref="FaceStage.ActionUnitModel"/> output.</summary>
    public int ActionUnits { get; init; } = 17;

    public IReadOnlyList<string> ActionUnitNames { get; init; } = [];

    public double ActionUnitMax { get; init; } = 5.0;

    /// <summary>Null: the whole frame, scaled to cover the image size and centre-cropped.</summary>
    public FaceStage? Face { get; init; }

    public required BackboneGraph Backbone { get; init; }

    public required VisualHead Head { get; init; }

    /// <summary>The backbone's feature width per frame (its output's second axis).</summary>
    public int FeatureWidth => ModelBundle.FixedAxis(Backbone.Output.Shape, 1) ?? 0;

    /// <summary>The backbone takes one frame per call (its input's batch axis is fixed at 1).</summary>
    public bool BackboneFrameByFrame => ModelBundle.FixedAxis(Backbone.Input.Shape, 0) == 1;

    /// <summary>The hyperparameters the graph was built with; recorded for people, not read by the engine.</summary>
    public System.Text.Json.JsonElement? Architecture { get; init; }

    public int Height => ImageSize[0];

    public int Width => ImageSize[1];
}
