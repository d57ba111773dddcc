namespace EmiPlatform.Inference.Bundles;

/// <summary>The visual branch of a bundle: normalised RGB frames plus action units in, per-frame EMI out.</summary>
public sealed record VisualBranch
{
    public required string Onnx { get; init; }

    public double FrameRate { get; init; } = 5.0;

    public double OutputRateHz { get; init; } = 5.0;

    public double SegmentSeconds { get; init; } = 12.0;

    public double OverlapSeconds { get; init; } = 1.0;

    /// <summary>[height, width].</summary>
    public IReadOnlyList<int> ImageSize { get; init; } = [112, 112];

    public string PixelFormat { get; init; } = "rgb24";

    public IReadOnlyList<float> Mean { get; init; } = [0.485f, 0.456f, 0.406f];

    public IReadOnlyList<float> Std { get; init; } = [0.229f, 0.224f, 0.225f];

    public int ActionUnits { get; init; } = 17;

    public required VisualInputs Inputs { get; init; }

    public required VisualOutputs Outputs { get; init; }

    public int Height => ImageSize[0];

    public int Width => ImageSize[1];
}
