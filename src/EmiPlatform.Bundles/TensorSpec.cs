using System.Text.Json;

namespace EmiPlatform.Bundles;

/// <summary>A named model input or output; shape entries are axis names (dynamic) or sizes.</summary>
public sealed record TensorSpec
{
    public required string Name { get; init; }

    public IReadOnlyList<JsonElement> Shape { get; init; } = [];
}
