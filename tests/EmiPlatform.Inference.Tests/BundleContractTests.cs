using System.Text.Json.Nodes;
using EmiPlatform.Bundles;

namespace EmiPlatform.Inference.Tests;

/// <summary>Bundle contract v2 at load: two graphs per branch, v1 refused with how to convert, heads that fit their backbones.</summary>
public sealed class BundleContractTests
{
    [Fact]
    public void ReferenceBundleLoadsAsV2WithABackboneAndAHeadPerBranch()
    {
        var bundle = ModelBundle.Load(TestEnvironment.ReferenceBundle);
        Assert.Equal(2, bundle.SchemaVersion);
        Assert.Equal(64, bundle.Audio!.FeatureWidth);
        Assert.Equal(128, bundle.Visual!.FeatureWidth);
        Assert.Matches("^[0-9a-f]{64}$", bundle.Audio.Backbone.Sha256);
        Assert.NotEqual(bundle.Audio.Backbone.Sha256, bundle.Audio.Head.Sha256);
        Assert.False(bundle.Visual.BackboneFrameByFrame);
    }

    [Fact]
    public void V1ManifestIsRefusedSayingHowToReExport()
    {
        var dir = CopyWith(m => m["schema_version"] = 1);
        try
        {
            var error = Assert.Throws<ModelBundleException>(() => ModelBundle.Load(dir));
            Assert.Contains("schema_version 1", error.Message, StringComparison.Ordinal);
            Assert.Contains("python3 -m emi_ml.export", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void HeadThatDoesNotTakeItsBackbonesFeaturesIsRefusedWithBothShapes()
    {
        var dir = CopyWith(m => m["visual"]!["head"]!["inputs"]!["features"]!["shape"] = new JsonArray("batch", "time", 512));
        try
        {
            var error = Assert.Throws<ModelBundleException>(() => ModelBundle.Load(dir));
            Assert.Contains("[batch, time, 512]", error.Message, StringComparison.Ordinal);
            Assert.Contains("[batch, 128]", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static string CopyWith(Action<JsonNode> edit)
    {
        var dir = Path.Combine(Path.GetTempPath(), "emi-contract-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        foreach (var file in Directory.GetFiles(TestEnvironment.ReferenceBundle))
        {
            File.Copy(file, Path.Combine(dir, Path.GetFileName(file)));
        }

        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "manifest.json")))!;
        edit(manifest);
        File.WriteAllText(Path.Combine(dir, "manifest.json"), manifest.ToJsonString());
        return dir;
    }
}
