namespace EmiPlatform.Bundles;

/// <summary>The visual branch's head graph: per-frame backbone features and action units in, EMI per frame and per segment out.</summary>
public sealed record VisualHead
{
    public required string Onnx { get; init; }

    public required string Sha256 { get; init; }

    public int Opset { get; init; }

    public bool Trained { get; init; }

    public string? Source { get; init; }

    public string? Licence { get; init; }

    public required VisualInputs Inputs { get; init; }

    public required VisualOutputs Outputs { get; init; }
}
