using System.Diagnostics;
using System.Text.Json.Nodes;
using EmiPlatform.Bundles;
using EmiPlatform.Inference.Faces;
using EmiPlatform.Inference.Onnx;
using EmiPlatform.Inference.Scoring;
using EmiPlatform.Media;

namespace EmiPlatform.Inference.Tests;

/// <summary>
/// A bundle's action-unit model (visual.face.action_unit_model) on the reference bundle plus ml/'s small stand-in
/// graph (emi_ml.au_model: a fixed function of the crop's colours, not an AU extractor; none pretrained is reachable).
/// </summary>
[Collection(MediaCollection.Name)]
public sealed class ActionUnitModelTests(MediaFixture media) : IDisposable
{
    private readonly ScoringPipeline _pipeline = new(TestEnvironment.Cpu);
    private readonly List<string> _dirs = [];

    /// <summary>A copy of the reference bundle with the stand-in AU model added by ml/ (python3 -m emi_ml.au_model).</summary>
    private async Task<string> BundleWithActionUnitModelAsync(params string[] args)
    {
        var dir = TestEnvironment.ReferenceBundleCopy("au");
        _dirs.Add(dir);

        await PythonAsync(["-m", "emi_ml.au_model", "--bundle", dir, .. args]);
        return dir;
    }

    private static async Task PythonAsync(string[] args)
    {
        var python = new ProcessStartInfo("/usr/bin/python3", args) { WorkingDirectory = RepoRoot.Path, RedirectStandardError = true };
        python.Environment["PYTHONPATH"] = Path.Combine(RepoRoot.Path, "ml");
        using var process = Process.Start(python)!;
        var stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"python3 {string.Join(' ', args)}: {stderr}");
    }

    [Fact]
    public async Task The_models_values_for_each_face_crop_are_what_ml_computes_and_zeros_without_the_face()
    {
        var bundle = ModelBundle.Load(await BundleWithActionUnitModelAsync());
        var visual = bundle.Visual!;
        var file = media.P("face-moves.mp4");
        var info = await MediaProbe.ProbeAsync(file, MediaTools.FromEnvironment(), CancellationToken.None);
        using var detector = OnnxModel.Open(bundle.FaceDetectorPath!, TestEnvironment.Cpu);
        using var auModel = OnnxModel.Open(bundle.ActionUnitModelPath!, TestEnvironment.Cpu);
        using var frames = new FaceCropFrames(detector, visual, auModel);
        await using (var decoder = VideoDecoder.Start(info, frames, visual.FrameRate, MediaTools.FromEnvironment(), CancellationToken.None))
        {
            var buffer = new float[16 * frames.FrameFloats];
            while (await decoder.ReadAsync(buffer, 0, 16, CancellationToken.None) > 0)
            {
            }

            await decoder.CompleteAsync(CancellationToken.None);
        }

        var (count, withFace) = frames.Counts;
        Assert.InRange(withFace, 1, count - 1);
        var n = visual.ActionUnits;
        var aus = new float[count * n];
        frames.FillActionUnits(0, aus);

        var output = media.P("ml-aus.json");
        await PythonAsync(["-m", "emi_ml.faces", "--bundle", bundle.Directory, file, "--out", output]);
        var ml = JsonNode.Parse(await File.ReadAllTextAsync(output))!["aus"]!.AsArray();
        Assert.Equal(count, ml.Count);
        var worst = 0.0;
        for (var f = 0; f < count; f++)
        {
            var row = aus.AsSpan(f * n, n);
            if (frames.Seen(f))
            {
                // The stand-in's sigmoid × action_unit_max: strictly inside the range, and not all equal.
                Assert.All(row.ToArray(), v => Assert.InRange(v, 1e-4f, (float)visual.ActionUnitMax - 1e-4f));
                Assert.True(row.ToArray().Distinct().Count() > 1, $"frame {f}: all action units equal");
            }
            else
            {
                Assert.All(row.ToArray(), v => Assert.Equal(0f, v));
            }

            var mlRow = ml[f]!.AsArray().Select(v => v!.GetValue<double>()).ToArray();
            for (var a = 0; a < n; a++)
            {
                worst = Math.Max(worst, Math.Abs(mlRow[a] - row[a]));
            }
        }

        Assert.True(worst <= 1e-3, $"largest |C# - ml| action-unit difference {worst}");
    }

    [Fact]
    public async Task Its_values_reach_the_visual_branchs_au_input_and_change_only_the_visual_scores()
    {
        var plain = ModelBundle.Load(TestEnvironment.ReferenceBundle);
        var withAus = ModelBundle.Load(await BundleWithActionUnitModelAsync());
        var file = media.P("face-moves.mp4");
        var zeros = await _pipeline.ScoreAsync(file, plain, new ScoringOptions());
        var fed = await _pipeline.ScoreAsync(file, withAus, new ScoringOptions());

        Assert.Equal(zeros.Windows.Count, fed.Windows.Count);
        var largest = 0.0;
        for (var k = 0; k < zeros.Windows.Count; k++)
        {
            var (z, a) = (zeros.Windows[k], fed.Windows[k]);
            Assert.Equal(z.FaceCoverage, a.FaceCoverage);
            // The audio branch never sees AUs (two runs may differ in the last float bit).
            Assert.True(z.AudioEmi!.Zip(a.AudioEmi!, (x, y) => Math.Abs(x - y)).Max() < 1e-5, $"window {k}: audio moved");
            Assert.Equal(z.VisualEmi is null, a.VisualEmi is null);
            if (z.VisualEmi is { } zv)
            {
                largest = Math.Max(largest, zv.Zip(a.VisualEmi!, (x, y) => Math.Abs(x - y)).Max());
            }
        }

        // Repeated runs differ by about 1e-7; AUs of up to 5 move the untrained head visibly.
        Assert.True(largest > 1e-3, $"the visual scores moved by at most {largest} with the action-unit model");
    }

    [Fact]
    public async Task A_manifest_whose_action_unit_output_does_not_fit_the_branchs_au_input_is_refused()
    {
        var dir = await BundleWithActionUnitModelAsync("--action-units", "16");
        var error = Assert.Throws<ModelBundleException>(() => ModelBundle.Load(dir));
        Assert.Contains("visual.face.action_unit_model.output gives 16 action units", error.Message, StringComparison.Ordinal);
        Assert.Contains("takes 17", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_graph_that_gives_another_number_of_action_units_than_its_manifest_says_is_refused()
    {
        // The manifest claims 17 (the branch's width); the graph gives 16.
        var dir = await BundleWithActionUnitModelAsync("--action-units", "16");
        var path = Path.Combine(dir, "manifest.json");
        var manifest = JsonNode.Parse(await File.ReadAllTextAsync(path))!;
        manifest["visual"]!["face"]!["action_unit_model"]!["output"]!["shape"]![1] = 17;
        await File.WriteAllTextAsync(path, manifest.ToJsonString());
        var bundle = ModelBundle.Load(dir);

        var error = await Assert.ThrowsAsync<ModelBundleException>(() => _pipeline.ScoreAsync(media.P("face-moves.mp4"), bundle, new ScoringOptions()));
        Assert.Contains("aus [-1, 16]", error.Message, StringComparison.Ordinal);
        Assert.Contains("[batch, 17]", error.Message, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        _pipeline.Dispose();
        foreach (var dir in _dirs)
        {
            Directory.Delete(dir, true);
        }
    }
}
