using System.Text.Json;
using System.Text.Json.Serialization;

namespace EmiPlatform.Bundles;

/// <summary>
/// A model bundle: <c>manifest.json</c> plus the ONNX files it names (docs/model-bundle.md, schema in
/// docs/model-bundle.schema.json). Immutable once loaded.
/// </summary>
public sealed record ModelBundle
{
    public const int SupportedSchemaVersion = 2;

    /// <summary>What a reader says about a v1 manifest (one graph per branch): how to convert it.</summary>
    public const string V1Hint =
        "schema_version 1 (one graph per branch) is no longer read: re-export the bundle as v2 (a backbone and a head graph per branch) " +
        "from the same weights with `PYTHONPATH=ml /usr/bin/python3 -m emi_ml.export --preset P --out DIR [--audio-weights A.pt --visual-weights V.pt]` " +
        "(docs/model-bundle.md, \"From v1 to v2\")";

    private static readonly JsonSerializerOptions s_json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        // A field this engine does not know would be silently ignored: a typo or a newer contract. Refuse it.
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    public int SchemaVersion { get; init; }

    public required string Name { get; init; }

    public required string Version { get; init; }

    public bool Trained { get; init; }

    public string Provenance { get; init; } = string.Empty;

    public required IReadOnlyList<string> Emotions { get; init; }

    public IReadOnlyList<string> Vad { get; init; } = ["valence", "arousal", "dominance"];

    public IReadOnlyDictionary<string, double> Fusion { get; init; } = new Dictionary<string, double>();

    /// <summary>The architecture size preset the bundle was exported from; recorded, not interpreted.</summary>
    public string? Preset { get; init; }

    /// <summary>Machine-readable provenance (generator, seed, toolchain, weight files); recorded, not interpreted.</summary>
    public JsonElement? Build { get; init; }

    public AudioBranch? Audio { get; init; }

    public VisualBranch? Visual { get; init; }

    /// <summary>Absolute path of the bundle directory.</summary>
    [JsonIgnore]
    public string Directory { get; init; } = string.Empty;

    [JsonIgnore]
    public string? AudioBackbonePath => Audio is null ? null : Path.Combine(Directory, Audio.Backbone.Onnx);

    [JsonIgnore]
    public string? AudioHeadPath => Audio is null ? null : Path.Combine(Directory, Audio.Head.Onnx);

    [JsonIgnore]
    public string? VisualBackbonePath => Visual is null ? null : Path.Combine(Directory, Visual.Backbone.Onnx);

    [JsonIgnore]
    public string? VisualPreprocessPath => Visual?.Backbone.Preprocess is { } pre ? Path.Combine(Directory, pre.Onnx) : null;

    [JsonIgnore]
    public string? VisualHeadPath => Visual is null ? null : Path.Combine(Directory, Visual.Head.Onnx);

    [JsonIgnore]
    public string? FaceDetectorPath => Visual?.Face is { } face ? Path.Combine(Directory, face.Detector) : null;

    [JsonIgnore]
    public string? SpeechModelPath => Audio?.Speech is { } speech ? Path.Combine(Directory, speech.File) : null;

    [JsonIgnore]
    public string? LandmarkModelPath => Visual?.Face?.Landmarks is { } model ? Path.Combine(Directory, model.File) : null;

    [JsonIgnore]
    public string? ExpressionModelPath => Visual?.Face?.Expressions is { } model ? Path.Combine(Directory, model.File) : null;

    [JsonIgnore]
    public string? ActionUnitModelPath => Visual?.Face?.ActionUnitModel is { } au ? Path.Combine(Directory, au.Onnx) : null;

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
        var text = File.ReadAllText(manifestPath);
        RefuseOtherVersions(text, manifestPath);
        try
        {
            bundle = JsonSerializer.Deserialize<ModelBundle>(text, s_json);
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

    /// <summary>A v1 manifest fails as unknown fields otherwise; say what it is and how to convert it instead.</summary>
    private static void RefuseOtherVersions(string text, string manifestPath)
    {
        int? version = null;
        try
        {
            using var doc = JsonDocument.Parse(text, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("schema_version", out var v) && v.TryGetInt32(out var n))
            {
                version = n;
            }
        }
        catch (JsonException ex)
        {
            throw new ModelBundleException($"{manifestPath} is not a valid bundle manifest: {ex.Message}", ex);
        }

        if (version == 1)
        {
            throw new ModelBundleException($"{manifestPath}: {V1Hint}.");
        }

        if (version is { } other && other != SupportedSchemaVersion)
        {
            throw new ModelBundleException($"{manifestPath} has schema_version {other}; this engine reads {SupportedSchemaVersion}.");
        }
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
            RequireFile(Audio.Backbone.Onnx, Audio.Backbone.Sha256);
            RequireFile(Audio.Head.Onnx, Audio.Head.Sha256);
            RequireFeatures("audio", Audio.Backbone.Output.Shape, 2, Audio.Head.Inputs.Features.Shape);
            RequirePositive(Audio.ReceptiveFieldSamples, "audio.receptive_field_samples");
            RequirePositive(Audio.SampleRate, "audio.sample_rate");
            RequirePositive(Audio.OutputRateHz, "audio.output_rate_hz");
            RequireSegment(Audio.SegmentSeconds, Audio.OverlapSeconds, "audio");
            if (Audio.Speech is { } speech)
            {
                ValidateSpeech(speech, Audio);
            }
        }

        if (Visual is not null)
        {
            RequireFile(Visual.Backbone.Onnx, Visual.Backbone.Sha256);
            if (Visual.Backbone.Preprocess is { } pre)
            {
                RequireFile(pre.Onnx, pre.Sha256);
            }

            RequireFile(Visual.Head.Onnx, Visual.Head.Sha256);
            RequireFeatures("visual", Visual.Backbone.Output.Shape, 1, Visual.Head.Inputs.Features.Shape);
            var input = Visual.Backbone.Input.Shape;
            if (input.Count != 4 || FixedAxis(input, 1) != 3 || FixedAxis(input, 2) != Visual.Height || FixedAxis(input, 3) != Visual.Width)
            {
                throw new ModelBundleException($"Bundle '{Name}': visual.backbone.input.shape must be [\"batch\" or 1, 3, {Visual.Height}, {Visual.Width}] (one crop of visual.image_size per row).");
            }
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

            if (Visual.ActionUnitNames.Count > 0 && Visual.ActionUnitNames.Count != Visual.ActionUnits)
            {
                throw new ModelBundleException($"Bundle '{Name}': visual.action_unit_names has {Visual.ActionUnitNames.Count} names for {Visual.ActionUnits} action units.");
            }

            if (Fixed(Visual.Head.Inputs.Aus.Shape, 2) is { } ausWidth && ausWidth != Visual.ActionUnits)
            {
                throw new ModelBundleException($"Bundle '{Name}': visual.head.inputs.aus takes {ausWidth} action units per step, visual.action_units says {Visual.ActionUnits}.");
            }

            if (Visual.Face is { } face)
            {
                ValidateFace(face);
                if (face.ActionUnitModel is { } au)
                {
                    ValidateActionUnitModel(au, Visual);
                }

                ValidatePerception(face);
            }
        }
    }

    private void ValidateActionUnitModel(ActionUnitModel au, VisualBranch visual)
    {
        const string key = "visual.face.action_unit_model";
        RequireFile(au.Onnx, au.Sha256);
        if (au.ImageSize.Count != 2 || au.Height <= 0 || au.Width <= 0)
        {
            throw new ModelBundleException($"Bundle '{Name}': {key}.image_size must be [height, width].");
        }

        if (au.Mean.Count != 3 || au.Std.Count != 3 || au.Std.Any(s => s <= 0))
        {
            throw new ModelBundleException($"Bundle '{Name}': {key}.mean and .std need three values (std > 0).");
        }

        if (au.Input.Shape.Count != 4 || Fixed(au.Input.Shape, 1) != 3 || Fixed(au.Input.Shape, 2) != au.Height || Fixed(au.Input.Shape, 3) != au.Width)
        {
            throw new ModelBundleException($"Bundle '{Name}': {key}.input.shape must be [\"batch\", 3, {au.Height}, {au.Width}] (NCHW RGB of its image_size).");
        }

        var width = au.Output.Shape.Count == 2 ? Fixed(au.Output.Shape, 1) : null;
        if (width != visual.ActionUnits)
        {
            throw new ModelBundleException(
                $"Bundle '{Name}': {key}.output gives {width?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "no fixed number of"} action units per face crop, " +
                $"but the visual branch's AU input (visual.action_units) takes {visual.ActionUnits}; the output shape must be [\"batch\", {visual.ActionUnits}].");
        }
    }

    private void ValidatePerception(FaceStage face)
    {
        if (face.Landmarks is { } landmarks)
        {
            RequireFile(landmarks.File, landmarks.Sha256);
            RequirePositive(face.RedetectFrames, "visual.face.redetect_frames");
        }

        if (face.Expressions is { } expressions)
        {
            if (face.Landmarks is null)
            {
                throw new ModelBundleException($"Bundle '{Name}': visual.face.expressions reads FaceMesh's crop; it needs visual.face.landmarks.");
            }

            RequireFile(expressions.File, expressions.Sha256);
        }
    }

    private void ValidateSpeech(SpeechStage speech, AudioBranch audio)
    {
        RequireFile(speech.File, speech.Sha256);
        if (audio.SampleRate != SpeechStage.SampleRate)
        {
            throw new ModelBundleException($"Bundle '{Name}': audio.speech needs the audio branch at {SpeechStage.SampleRate} Hz; audio.sample_rate is {audio.SampleRate}.");
        }

        if (!(speech.Threshold > 0 && speech.Threshold < 1))
        {
            throw new ModelBundleException($"Bundle '{Name}': audio.speech.threshold must be in (0, 1).");
        }

        if (speech.Mask is not (SpeechStage.Keep or SpeechStage.Drop))
        {
            throw new ModelBundleException($"Bundle '{Name}': audio.speech.mask '{speech.Mask}' is not supported ({SpeechStage.Keep} or {SpeechStage.Drop}).");
        }
    }

    /// <summary>The fixed size at <paramref name="axis"/> of a shape, or null for a named (dynamic) or missing axis.</summary>
    public static int? FixedAxis(IReadOnlyList<JsonElement> shape, int axis) => Fixed(shape, axis);

    /// <summary>A head must take the features its backbone gives: both shapes go in the message.</summary>
    private void RequireFeatures(string branch, IReadOnlyList<JsonElement> backboneOutput, int featureAxis, IReadOnlyList<JsonElement> headInput)
    {
        var produced = Fixed(backboneOutput, featureAxis);
        var taken = headInput.Count == 3 ? Fixed(headInput, 2) : null;
        if (produced is null || produced != taken)
        {
            throw new ModelBundleException(
                $"Bundle '{Name}': {branch}.head.inputs.features {Shape(headInput)} does not take the features {branch}.backbone.output {Shape(backboneOutput)} gives " +
                $"(feature width {produced?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unknown"}).");
        }
    }

    private static string Shape(IReadOnlyList<JsonElement> shape) => "[" + string.Join(", ", shape.Select(d => d.ToString())) + "]";

    private static int? Fixed(IReadOnlyList<JsonElement> shape, int axis) =>
        axis < shape.Count && shape[axis].ValueKind == JsonValueKind.Number && shape[axis].TryGetInt32(out var size) ? size : null;

    private void ValidateFace(FaceStage face)
    {
        RequireFile(face.Detector, face.Sha256);
        RequirePositive(face.FrameSize, "visual.face.frame_size");
        RequirePositive(face.InputSize, "visual.face.input_size");
        RequirePositive(face.CropMargin + 1, "visual.face.crop_margin + 1");
        RequirePositive(face.ReacquireSeconds, "visual.face.reacquire_seconds");
        if (face.ScoreOutputs.Count == 0 || face.ScoreOutputs.Count != face.BoxOutputs.Count)
        {
            throw new ModelBundleException($"Bundle '{Name}': visual.face needs as many score_outputs as box_outputs (at least one).");
        }

        if (face.AnchorStrides.Count == 0 || face.AnchorStrides.Any(s => s <= 0 || face.InputSize % s != 0))
        {
            throw new ModelBundleException($"Bundle '{Name}': visual.face.anchor_strides must divide input_size {face.InputSize}.");
        }

        foreach (var (value, key) in new[] { (face.ScoreThreshold, "score_threshold"), (face.IouThreshold, "iou_threshold"), (face.BoxSmoothing, "box_smoothing"), (face.TrackMinIou, "track_min_iou") })
        {
            if (!(value >= 0 && value < 1))
            {
                throw new ModelBundleException($"Bundle '{Name}': visual.face.{key} must be in [0, 1).");
            }
        }

        foreach (var (value, expected, key) in new[] { (face.Normalisation, FaceStage.SignedUnit, "normalisation"), (face.Suppression, FaceStage.WeightedNms, "suppression"), (face.WithoutFace, FaceStage.Mask, "without_face") })
        {
            if (!string.Equals(value, expected, StringComparison.Ordinal))
            {
                throw new ModelBundleException($"Bundle '{Name}': visual.face.{key} '{value}' is not supported ({expected} is).");
            }
        }
    }

    private void RequireFile(string relative, string? sha256)
    {
        var path = Path.Combine(Directory, relative);
        if (!File.Exists(path))
        {
            throw new ModelBundleException($"Bundle '{Name}' names {relative}, which is not in {Directory}.");
        }

        if (sha256 is not null)
        {
            using var stream = File.OpenRead(path);
            var actual = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(stream));
            if (!string.Equals(actual, sha256, StringComparison.OrdinalIgnoreCase))
            {
                throw new ModelBundleException($"Bundle '{Name}': {relative} has sha256 {actual}, the manifest says {sha256}; the bundle was modified.");
            }
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
