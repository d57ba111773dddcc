namespace EmiPlatform.Bundles;

/// <summary>
/// The visual branch's face stage (docs/model-bundle.md, "Face stage"): a BlazeFace detector finds the faces in
/// each frame, one participant track is kept, and the tracked box, widened by <see cref="CropMargin"/>, is cropped
/// and resized to the branch's image size. Frames without the tracked face are masked out of the branch.
/// </summary>
public sealed record FaceStage
{
    public const string SignedUnit = "signed_unit";
    public const string WeightedNms = "weighted_nms";
    public const string Mask = "mask";

    /// <summary>The detector's ONNX file, relative to the bundle directory.</summary>
    public required string Detector { get; init; }

    public required string Sha256 { get; init; }

    /// <summary>Where the detector file comes from (package, version, path, licence); shown, not interpreted.</summary>
    public string Source { get; init; } = string.Empty;

    /// <summary>Side of the square every frame is letterboxed into before detection and cropping.</summary>
    public int FrameSize { get; init; } = 512;

    public required string InputName { get; init; }

    /// <summary>Side of the detector's square NHWC RGB input.</summary>
    public int InputSize { get; init; } = 256;

    /// <summary>How pixels become detector input; only <c>signed_unit</c> (pixel / 127.5 - 1) exists.</summary>
    public string Normalisation { get; init; } = SignedUnit;

    /// <summary>Score outputs ([1, anchors, 1] each), concatenated in this order along the anchor axis.</summary>
    public required IReadOnlyList<string> ScoreOutputs { get; init; }

    /// <summary>Regressor outputs ([1, anchors, 16] each), in the order of <see cref="ScoreOutputs"/>.</summary>
    public required IReadOnlyList<string> BoxOutputs { get; init; }

    /// <summary>One SSD feature map per entry (two anchors each); equal strides share a grid (MediaPipe's scheme).</summary>
    public required IReadOnlyList<int> AnchorStrides { get; init; }

    public double ScoreThreshold { get; init; } = 0.75;

    public string Suppression { get; init; } = WeightedNms;

    /// <summary>Detections overlapping the best one by at least this IoU are merged into it.</summary>
    public double IouThreshold { get; init; } = 0.3;

    /// <summary>Added on each side of the tracked box, as a fraction of its size.</summary>
    public double CropMargin { get; init; } = 0.25;

    /// <summary>Weight of the previous box in the exponential smoothing of the track (0: none).</summary>
    public double BoxSmoothing { get; init; } = 0.5;

    /// <summary>A detection continues the track when it overlaps the track's box by at least this IoU.</summary>
    public double TrackMinIou { get; init; } = 0.3;

    /// <summary>After this long without the tracked face, the largest face seen starts a new track.</summary>
    public double ReacquireSeconds { get; init; } = 1.0;

    /// <summary>What a frame without the tracked face does: only <c>mask</c> (no visual prediction there).</summary>
    public string WithoutFace { get; init; } = Mask;

    /// <summary>Null: the branch's AU input is zeros, or the landmark descriptors when <see cref="Landmarks"/> is set.</summary>
    public ActionUnitModel? ActionUnitModel { get; init; }

    /// <summary>
    /// MediaPipe FaceMesh: 468 landmarks of the tracked face per frame, from which the facial action descriptors and
    /// head pose are measured. With it, the detector runs only when the face is lost or every
    /// <see cref="RedetectFrames"/> frames (MediaPipe's tracking shortcut). Null: no landmarks, no descriptors.
    /// </summary>
    public PerceptionModel? Landmarks { get; init; }

    /// <summary>The 7-class expression classifier, run on FaceMesh's crop (needs <see cref="Landmarks"/>). Null: none.</summary>
    public PerceptionModel? Expressions { get; init; }

    /// <summary>With <see cref="Landmarks"/>: frames between two detector runs while FaceMesh holds the face.</summary>
    public int RedetectFrames { get; init; } = 10;
}
