namespace EmiPlatform.Bundles;

public sealed record AudioHeadInputs
{
    /// <summary>[batch, steps, D]: D is the backbone's feature width.</summary>
    public required TensorSpec Features { get; init; }
}
