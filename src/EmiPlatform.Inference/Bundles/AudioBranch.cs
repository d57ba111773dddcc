namespace EmiPlatform.Inference.Bundles;

/// <summary>The audio branch of a bundle: raw 16 kHz mono waveform in, per-step EMI and VAD out.</summary>
public sealed record AudioBranch
{
    public required string Onnx { get; init; }

    public int SampleRate { get; init; } = 16000;

    public double SegmentSeconds { get; init; } = 12.0;

    public double OverlapSeconds { get; init; } = 1.0;

    /// <summary>Per-step outputs per second of input; step i of a segment maps to segment start + i / rate.</summary>
    public double OutputRateHz { get; init; } = 50.0;

    public required TensorSpec Input { get; init; }

    public required AudioOutputs Outputs { get; init; }
}
