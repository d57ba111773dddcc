using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using EmiPlatform.Cli.Tests.Infrastructure;
using EmiPlatform.Harness;
using EmiPlatform.Testing;

namespace EmiPlatform.Cli.Tests;

/// <summary><c>emi bundles register|list</c> and <c>emi features export</c> against the real API host.</summary>
public sealed class CliBundlesTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task A_lab_registers_its_bundle_from_a_directory_and_exports_its_features_as_npz()
    {
        var created = await EmiRunner.For(api.Url, api.AdminKey).JsonAsync("admin", "tenants", "create", "Lab");
        var key = created.GetProperty("adminKey").GetProperty("secret").GetString()!;
        var lab = EmiRunner.For(api.Url, key);

        // A bundle directory as emi_ml.train --features writes one: the manifest and the head graph only.
        var reference = Path.Combine(RepoRoot.Path, "models", "reference-tiny");
        var dir = Directory.CreateTempSubdirectory("emi-lab-bundle-").FullName;
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(reference, "manifest.json")))!.AsObject();
        manifest["name"] = "lab-visual";
        manifest.Remove("audio");
        manifest["fusion"] = new JsonObject { ["visual"] = 1.0 };
        File.WriteAllText(Path.Combine(dir, "manifest.json"), manifest.ToJsonString());
        File.Copy(Path.Combine(reference, "visual-head.onnx"), Path.Combine(dir, "visual-head.onnx"));

        var registered = await lab.JsonAsync("bundles", "register", dir);
        Assert.Equal(("lab-visual", "tenant"), (registered.GetProperty("name").GetString(), registered.GetProperty("owner").GetString()));
        var listed = await lab.JsonAsync("bundles", "list");
        Assert.Contains(listed.EnumerateArray(), b => b.GetProperty("id").GetGuid() == registered.GetProperty("id").GetGuid());
        var missing = (await lab.RunAsync("bundles", "register", Path.Combine(dir, "nowhere"))).AssertExit(1);
        Assert.Contains("no manifest.json", missing.Error, StringComparison.Ordinal);

        // Features out: score one recording, export, and read the file with numpy.
        var study = await lab.JsonAsync("studies", "create", "Tones");
        var studyId = study.GetProperty("id").GetGuid();
        await lab.JsonAsync("participants", "create", "--study", studyId.ToString(), "P01");
        var media = Directory.CreateTempSubdirectory("emi-tones-").FullName;
        await TestMedia.WriteAsync(Path.Combine(media, "P01_tone_1.wav"), TestMedia.SineAsync(440, 2));
        (await lab.RunAsync("upload", media, "--study", studyId.ToString(), "--participant-from", "{participant}_{stimulus}_{trial}.*", "--json")).AssertExit(0);
        using var http = new HttpClient { BaseAddress = api.Url };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        await Eventually.WaitAsync(async () =>
        {
            using var jobs = JsonDocument.Parse(await http.GetStringAsync($"/v1/studies/{studyId}/jobs"));
            return jobs.RootElement.GetProperty("items").EnumerateArray().Any(j => j.GetProperty("state").GetString() == "succeeded");
        }, TimeSpan.FromMinutes(2), "the recording to be scored");

        var outDir = Path.Combine(Directory.CreateTempSubdirectory("emi-features-").FullName, "feats");
        var exported = await lab.JsonAsync("features", "export", "--study", studyId.ToString(), "--out", outDir, "--branch", "audio");
        var file = Assert.Single(exported.GetProperty("files").EnumerateArray()).GetString()!;
        Assert.EndsWith(".audio.npz", file, StringComparison.Ordinal);

        var start = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in (string[])["-c", """
            import json, sys, numpy as np
            z = np.load(sys.argv[1], allow_pickle=False)
            print(json.dumps({"dtype": str(z["features"].dtype), "shape": list(z["features"].shape), "rate": float(z["step_rate_hz"]),
                              "branch": str(z["branch"]), "file": str(z["file_name"]), "participant": str(z["participant"]),
                              "segments": z["segments"].tolist(), "valid": bool(z["valid"].all()), "backbone": str(z["backbone_sha256"])}))
            """, Path.Combine(outDir, file)])
        {
            start.ArgumentList.Add(a);
        }
        using var python = Process.Start(start)!;
        var stdout = await python.StandardOutput.ReadToEndAsync();
        var stderr = await python.StandardError.ReadToEndAsync();
        await python.WaitForExitAsync();
        Assert.True(python.ExitCode == 0, stderr);
        var npz = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal("float16", npz.GetProperty("dtype").GetString());
        Assert.Equal(50.0, npz.GetProperty("rate").GetDouble());
        Assert.Equal(("audio", "P01_tone_1.wav", "P01"), (npz.GetProperty("branch").GetString(), npz.GetProperty("file").GetString(), npz.GetProperty("participant").GetString()));
        var audioBackbone = JsonNode.Parse(File.ReadAllText(Path.Combine(reference, "manifest.json")))!["audio"]!["backbone"]!["sha256"]!.GetValue<string>();
        Assert.Equal(audioBackbone, npz.GetProperty("backbone").GetString());
        // 2 s at 16 kHz is one segment of floor((32000 - 400) / 320) + 1 = 99 steps of the backbone's width.
        Assert.Equal(99, npz.GetProperty("shape")[0].GetInt32());
        Assert.Equal("[[0,99]]", npz.GetProperty("segments").GetRawText().Replace(" ", "", StringComparison.Ordinal));
        Assert.True(npz.GetProperty("valid").GetBoolean());
    }
}
