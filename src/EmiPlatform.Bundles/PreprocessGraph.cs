namespace EmiPlatform.Bundles;

/// <summary>A graph run on each frame before a visual backbone (ML.NET's ResNetPreprocess.onnx: RGB to BGR minus a mean image).</summary>
public sealed record PreprocessGraph
{
    public required string Onnx { get; init; }

    public required string Sha256 { get; init; }

    public required TensorSpec Input { get; init; }

    public required TensorSpec Output { get; init; }
}
