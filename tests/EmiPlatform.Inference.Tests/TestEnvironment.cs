using EmiPlatform.Inference.Onnx;

namespace EmiPlatform.Inference.Tests;

/// <summary>Paths the tests need; a missing prerequisite fails the test with instructions instead of skipping it.</summary>
internal static class TestEnvironment
{
    public static string ReferenceBundle => Path.Combine(RepoRoot.Path, "models", "reference-tiny");

    public static string Fixtures => Path.Combine(RepoRoot.Path, "tests", "fixtures", "reference-tiny");

    /// <summary>A public-domain photo with one face (NASA; Debian python3-skimage, which infra/install-deps.sh installs).</summary>
    public static string AstronautPng
    {
        get
        {
            const string path = "/usr/lib/python3/dist-packages/skimage/data/astronaut.png";
            return File.Exists(path) ? path : throw new InvalidOperationException($"{path} is missing: install Debian python3-skimage (infra/install-deps.sh does).");
        }
    }

    /// <summary>A copy of the whole reference bundle (detector included) in a temporary directory the caller deletes.</summary>
    public static string ReferenceBundleCopy(string prefix)
    {
        var dir = Path.Combine(Path.GetTempPath(), $"emi-{prefix}-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        foreach (var f in Directory.GetFiles(ReferenceBundle))
        {
            File.Copy(f, Path.Combine(dir, Path.GetFileName(f)));
        }

        return dir;
    }

    /// <summary>
    /// A copy of the reference bundle without its face stage (the whole-frame visual branch), in a temporary
    /// directory the caller deletes.
    /// </summary>
    public static string ReferenceBundleWithoutFace()
    {
        var dir = Path.Combine(Path.GetTempPath(), "emi-noface-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        foreach (var name in new[] { "audio-backbone.onnx", "audio-head.onnx", "visual-backbone.onnx", "visual-head.onnx", "silero_vad_v5.onnx" })
        {
            File.Copy(Path.Combine(ReferenceBundle, name), Path.Combine(dir, name));
        }

        var manifest = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(ReferenceBundle, "manifest.json")))!;
        manifest["visual"]!.AsObject().Remove("face");
        File.WriteAllText(Path.Combine(dir, "manifest.json"), manifest.ToJsonString());
        return dir;
    }

    public static OnnxSessionOptions Cpu { get; } = new() { ExecutionProvider = ExecutionProvider.Cpu };
}
