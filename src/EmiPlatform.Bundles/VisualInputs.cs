namespace EmiPlatform.Bundles;

/// <summary>The visual head's inputs.</summary>
public sealed record VisualInputs
{
    /// <summary>[batch, time, D]: one row of backbone features per frame.</summary>
    public required TensorSpec Features { get; init; }

    public required TensorSpec Aus { get; init; }
}
