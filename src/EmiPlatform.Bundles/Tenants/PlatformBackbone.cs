namespace EmiPlatform.Bundles.Tenants;

/// <summary>A backbone graph of a platform bundle: its branch, hash and the shape of the features it gives.</summary>
public sealed record PlatformBackbone(string Branch, string Sha256, IReadOnlyList<string> OutputShape)
{
    /// <summary>The width of one step's features: the last axis of the backbone's output.</summary>
    public string FeatureWidth => OutputShape.Count > 0 ? OutputShape[^1] : "?";
}
