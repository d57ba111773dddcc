namespace EmiPlatform.Bundles;

public sealed record AudioOutputs
{
    public required TensorSpec EmiSteps { get; init; }

    public required TensorSpec VadSteps { get; init; }

    public required TensorSpec EmiSegment { get; init; }

    public required TensorSpec VadSegment { get; init; }
}
