namespace EmiPlatform.Bundles;

public sealed record VisualOutputs
{
    public required TensorSpec EmiSteps { get; init; }

    public required TensorSpec EmiSegment { get; init; }
}
