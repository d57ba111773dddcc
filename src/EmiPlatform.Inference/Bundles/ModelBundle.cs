using System.Text.Json;
using System.Text.Json.Serialization;

namespace EmiPlatform.Inference.Bundles;

/// <summary>
/// A model bundle: <c>manifest.json</c> plus the ONNX files it names (docs/model-bundle.md, schema in
/// docs/model-bundle.schema.json). Immutable once loaded.
/// </summary>
public sealed record ModelBundle
{
    public const int SupportedSchemaVersion = 1;

    private static readonly JsonSerializerOptions s_json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    public int SchemaVersion { get; init; }

    public required string Name { get; init; }

    public required string Version { get; init; }

    public bool Trained { get; init; }

    public string Provenance { get; init; } = string.Empty;

    public required IReadOnlyList<string> Emotions { get; init; }

    public IReadOnlyList<string> Vad { get; init; } = ["valence", "arousal", "dominance"];

    public IReadOnlyDictionary<string, double> Fusion { get; init; } = new Dictionary<string, double>();

    public AudioBranch? Audio { get; init; }

    public VisualBranch? Visual { get; init; }

    /// <summary>Absolute path of the bundle directory.</summary>
    [JsonIgnore]
    public string Directory { get; init; } = string.Empty;

    [JsonIgnore]
    public string? AudioModelPath => Audio is null ? null : Path.Combine(Directory, Audio.Onnx);

    [JsonIgnore]
    public string? VisualModelPath => Visual is null ? null : Path.Combine(Directory, Visual.Onnx);

    /// <summary>Fusion weight of a branch ("audio" / "visual"); a branch without a weight counts 1.</summary>
    public double FusionWeight(string branch) => Fusion.TryGetValue(branch, out var w) ? w : 1.0;

    public static ModelBundle Load(string directory)
    {
        var dir = Path.GetFullPath(directory);
        var manifestPath = Path.Combine(dir, "manifest.json");
        if (!File.Exists(manifestPath))
        {
            throw new ModelBundleException($"No manifest.json in model bundle directory '{dir}'.");
        }

        ModelBundle? bundle;
        try
        {
            bundle = JsonSerializer.Deserialize<ModelBundle>(File.ReadAllText(manifestPath), s_json);
        }
        catch (JsonException ex)
        {
            throw new ModelBundleException($"{manifestPath} is not a valid bundle manifest: {ex.Message}", ex);
        }

        if (bundle is null)
        {
            throw new ModelBundleException($"{manifestPath} is empty.");
        }

        bundle = bundle with { Directory = dir };
        bundle.Validate();
        return bundle;
    }

    private void Validate()
    {
        if (SchemaVersion != SupportedSchemaVersion)
        {
            throw new ModelBundleException($"Bundle '{Name}' has schema_version {SchemaVersion}; this engine reads {SupportedSchemaVersion}.");
        }

        if (Emotions.Count == 0)
        {
            throw new ModelBundleException($"Bundle '{Name}' names no emotions.");
        }

        if (Audio is null && Visual is null)
        {
            throw new ModelBundleException($"Bundle '{Name}' has neither an audio nor a visual branch.");
        }

        if (Audio is not null)
        {
            RequireFile(Audio.Onnx);
            RequirePositive(Audio.SampleRate, "audio.sample_rate");
            RequirePositive(Audio.OutputRateHz, "audio.output_rate_hz");
            RequireSegment(Audio.SegmentSeconds, Audio.OverlapSeconds, "audio");
        }

        if (Visual is not null)
        {
            RequireFile(Visual.Onnx);
            RequirePositive(Visual.FrameRate, "visual.frame_rate");
            RequirePositive(Visual.OutputRateHz, "visual.output_rate_hz");
            RequireSegment(Visual.SegmentSeconds, Visual.OverlapSeconds, "visual");
            if (Visual.ImageSize.Count != 2 || Visual.Height <= 0 || Visual.Width <= 0)
            {
                throw new ModelBundleException($"Bundle '{Name}': visual.image_size must be [height, width].");
            }

            if (Visual.Mean.Count != 3 || Visual.Std.Count != 3 || Visual.Std.Any(s => s <= 0))
            {
                throw new ModelBundleException($"Bundle '{Name}': visual.mean and visual.std need three values (std > 0).");
            }

            if (!string.Equals(Visual.PixelFormat, "rgb24", StringComparison.Ordinal))
            {
                throw new ModelBundleException($"Bundle '{Name}': visual.pixel_format '{Visual.PixelFormat}' is not supported (rgb24 is).");
            }
        }
    }

    private void RequireFile(string relative)
    {
        var path = Path.Combine(Directory, relative);
        if (!File.Exists(path))
        {
            throw new ModelBundleException($"Bundle '{Name}' names {relative}, which is not in {Directory}.");
        }
    }

    private void RequirePositive(double value, string key)
    {
        if (!(value > 0))
        {
            throw new ModelBundleException($"Bundle '{Name}': {key} must be positive.");
        }
    }

    private void RequireSegment(double segment, double overlap, string branch)
    {
        if (!(segment > 0) || overlap < 0 || overlap >= segment)
        {
            throw new ModelBundleException($"Bundle '{Name}': {branch}.segment_seconds must be positive and larger than overlap_seconds.");
        }
    }
}
