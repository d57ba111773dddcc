namespace EmiPlatform.Bundles;

public sealed record VisualInputs
{
    public required TensorSpec Frames { get; init; }

    public required TensorSpec Aus { get; init; }
}
