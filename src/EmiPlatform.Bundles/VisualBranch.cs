namespace EmiPlatform.Bundles;

/// <summary>The visual branch of a bundle: normalised RGB frames plus action units in, per-frame EMI out.</summary>
public sealed record VisualBranch
{
    public required string Onnx { get; init; }

    /// <summary>Checked against the file on load when present.</summary>
    public string? Sha256 { get; init; }

    public int Opset { get; init; }

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

    public required VisualInputs Inputs { get; init; }

    public required VisualOutputs Outputs { get; init; }

    /// <summary>The hyperparameters the graph was built with; recorded for people, not read by the engine.</summary>
    public System.Text.Json.JsonElement? Architecture { get; init; }

    public int Height => ImageSize[0];

    public int Width => ImageSize[1];
}
