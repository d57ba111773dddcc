namespace EmiPlatform.Bundles;

/// <summary>The audio branch's head graph: the backbone's per-step features in, EMI and VAD per step and per segment out.</summary>
public sealed record AudioHead
{
    public required string Onnx { get; init; }

    public required string Sha256 { get; init; }

    public int Opset { get; init; }

    public bool Trained { get; init; }

    public string? Source { get; init; }

    public string? Licence { get; init; }

    public required AudioHeadInputs Inputs { get; init; }

    public required AudioOutputs Outputs { get; init; }
}
