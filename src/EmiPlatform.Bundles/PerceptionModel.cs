namespace EmiPlatform.Bundles;

/// <summary>
/// A pretrained model of the face stage that measures the tracked face rather than scoring EMI (docs/model-bundle.md,
/// "Face perception"): FaceMesh's landmarks (<see cref="FaceStage.Landmarks"/>) or the expression classifier
/// (<see cref="FaceStage.Expressions"/>). The engine fixes how each is fed; the manifest names the file, proves it
/// by hash and says where it comes from and what it was trained on, so a lab can cite it.
/// </summary>
public sealed record PerceptionModel
{
    /// <summary>The ONNX file, relative to the bundle directory.</summary>
    public required string File { get; init; }

    public required string Sha256 { get; init; }

    /// <summary>Where the file comes from (package, version, path, conversion); shown, not interpreted.</summary>
    public required string Source { get; init; }

    /// <summary>The model's licence (and the package's, when they differ); shown, not interpreted.</summary>
    public required string Licence { get; init; }

    /// <summary>The data the model was trained on, as its authors state it; shown, not interpreted.</summary>
    public required string TrainedOn { get; init; }
}
