using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace EmiPlatform.Bundles.Features;

/// <summary>
/// What a cached entry of backbone features depends on: the recording's bytes (their SHA-256), the backbone graph (its
/// SHA-256) and every decoding parameter that shapes the backbone's input (docs/model-bundle.md, "Feature cache").
/// Two bundles with the same key share the entry; <see cref="Sha256"/> names it.
/// </summary>
public sealed record FeatureCacheKey(string RecordingSha256, string Branch, string BackboneSha256, string Decoding)
{
    public const string Audio = "audio";
    public const string Visual = "visual";

    /// <summary>SHA-256 of the key's canonical text: recording, branch, backbone and decoding, one per line.</summary>
    public string Sha256 { get; } = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(
        $"emi-features/1\n{RecordingSha256.Trim().ToLowerInvariant()}\n{Branch}\n{BackboneSha256.ToLowerInvariant()}\n{Decoding}")));

    public static FeatureCacheKey For(string recordingSha256, AudioBranch spec) =>
        new(recordingSha256, Audio, spec.Backbone.Sha256, Canonical(new JsonObject
        {
            ["sample_rate"] = spec.SampleRate,
            ["segment_seconds"] = spec.SegmentSeconds,
            ["overlap_seconds"] = spec.OverlapSeconds,
            ["receptive_field_samples"] = spec.ReceptiveFieldSamples,
            ["step_samples"] = spec.StepSamples,
        }));

    /// <summary>The crop a visual backbone sees depends on the whole face stage (detector, tracking, FaceMesh's re-detection cadence).</summary>
    public static FeatureCacheKey For(string recordingSha256, VisualBranch spec)
    {
        var decoding = new JsonObject
        {
            ["frame_rate"] = spec.FrameRate,
            ["segment_seconds"] = spec.SegmentSeconds,
            ["overlap_seconds"] = spec.OverlapSeconds,
            ["image_size"] = new JsonArray(spec.Height, spec.Width),
            ["mean"] = new JsonArray(spec.Mean.Select(v => JsonValue.Create(v)).ToArray<JsonNode?>()),
            ["std"] = new JsonArray(spec.Std.Select(v => JsonValue.Create(v)).ToArray<JsonNode?>()),
            ["preprocess_sha256"] = spec.Backbone.Preprocess?.Sha256,
            ["face"] = spec.Face is null ? null : JsonSerializer.SerializeToNode(spec.Face with { Source = string.Empty }, s_json),
        };
        return new(recordingSha256, Visual, spec.Backbone.Sha256, Canonical(decoding));
    }

    private static readonly JsonSerializerOptions s_json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private static string Canonical(JsonObject value) => value.ToJsonString(new JsonSerializerOptions { WriteIndented = false });

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Branch} features of {RecordingSha256[..12]}… by backbone {BackboneSha256[..12]}… (key {Sha256[..12]}…)");
}
