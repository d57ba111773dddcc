namespace EmiPlatform.Bundles;

/// <summary>
/// An action-unit extractor the face stage runs on every frame with the tracked face (docs/model-bundle.md,
/// "Action-unit model"): the tracked box, widened by the crop margin to <see cref="ImageSize"/>'s aspect ratio, is
/// resampled to it and normalised with <see cref="Mean"/> and <see cref="Std"/>, fed as <c>[1, 3, H, W]</c>, and its
/// <c>[1, action_units]</c> output, clamped to 0..action_unit_max, is that frame's row of the branch's AU input.
/// Frames without the tracked face get zeros there (their steps are masked anyway).
/// </summary>
public sealed record ActionUnitModel
{
    public required string Onnx { get; init; }

    public required string Sha256 { get; init; }

    /// <summary>Where the model comes from (package, version, licence, training data); shown, not interpreted.</summary>
    public required string Source { get; init; }

    /// <summary>[height, width] of the crop the model reads; independent of the branch's image size.</summary>
    public required IReadOnlyList<int> ImageSize { get; init; }

    public required IReadOnlyList<float> Mean { get; init; }

    public required IReadOnlyList<float> Std { get; init; }

    /// <summary>Shape <c>["batch", 3, H, W]</c> with H, W of <see cref="ImageSize"/>.</summary>
    public required TensorSpec Input { get; init; }

    /// <summary>Shape <c>["batch", action_units]</c>, in the order of the branch's action_unit_names.</summary>
    public required TensorSpec Output { get; init; }

    public int Height => ImageSize[0];

    public int Width => ImageSize[1];
}
