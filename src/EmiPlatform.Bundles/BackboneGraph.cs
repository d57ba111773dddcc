namespace EmiPlatform.Bundles;

/// <summary>
/// A branch's backbone graph: media in (the audio waveform, or one face crop per row), per-step or per-frame features
/// out. It is known by its <see cref="Sha256"/>: features cached for a recording are keyed by it, so two bundles that
/// share a backbone share its features.
/// </summary>
public sealed record BackboneGraph
{
    public required string Onnx { get; init; }

    public required string Sha256 { get; init; }

    public int Opset { get; init; }

    public bool Trained { get; init; }

    /// <summary>Where a pretrained backbone comes from (package, version, path).</summary>
    public string? Source { get; init; }

    public string? Licence { get; init; }

    /// <summary>The script that fetches a backbone too large to commit.</summary>
    public string? Fetch { get; init; }

    public required TensorSpec Input { get; init; }

    public required TensorSpec Output { get; init; }

    /// <summary>Run on each frame before the backbone (visual only); null: the normalised crop is the backbone's input.</summary>
    public PreprocessGraph? Preprocess { get; init; }
}
