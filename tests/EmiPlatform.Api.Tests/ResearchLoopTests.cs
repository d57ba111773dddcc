using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using EmiPlatform.Api.Bundles;
using EmiPlatform.Api.Recordings;
using EmiPlatform.Api.Tests.Infrastructure;
using EmiPlatform.Harness;
using EmiPlatform.Testing;
using Npgsql;

namespace EmiPlatform.Api.Tests;

/// <summary>
/// The research loop end to end, honestly: a generated study whose labels are a known function of what the audio
/// backbone hears (a tone's pitch) is scored once, its cached features are exported, a head is trained on them with
/// emi_ml (ρ on held-out clips above 0.9), registered as the lab's own bundle and used to re-score the study with the
/// heads only (every feature from the cache), and the new timelines follow the function. The bundle says it was
/// trained, for the synthetic task it names: it is no EMI model, and it says so.
/// </summary>
public sealed class ResearchLoopTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private const string SyntheticTask = "synthetic: six fixed linear functions of a 1 s tone's pitch (150-900 Hz); not emotion";
    private static readonly int[] Pitches = [.. Enumerable.Range(0, 12).Select(i => 150 + (i * 750 / 11))];

    [Fact]
    public async Task A_head_trained_on_exported_features_follows_a_known_function_after_a_heads_only_rescore()
    {
        var (key, _, studyId, participantId) = await Uploads.ParticipantAsync(api);
        var client = api.Client(key);
        var recordings = new List<(RecordingDto Recording, double Level)>();
        foreach (var pitch in Pitches)
        {
            var created = await Uploads.PostAsync(client, studyId, participantId, await TestMedia.SineAsync(pitch, 1), "audio/wav", $"?fileName=tone-{pitch}.wav");
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            recordings.Add(((await created.Content.ReadFromJsonAsync<RecordingDto>(Json.Options))!, (pitch - 150) / 750.0));
        }
        await WaitForJobsAsync(client, studyId, Pitches.Length);

        // Features out: one NPZ per recording, made from the first score's cache.
        var work = Directory.CreateTempSubdirectory("emi-loop-").FullName;
        try
        {
            var features = Path.Combine(work, "features");
            var response = await client.GetAsync($"/v1/studies/{studyId}/features?branch=audio");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("application/zip", response.Content.Headers.ContentType?.MediaType);
            using (var zip = new ZipArchive(await response.Content.ReadAsStreamAsync()))
            {
                Assert.Equal(recordings.Select(r => $"{r.Recording.Id}.audio.npz").Order(), zip.Entries.Select(e => e.FullName).Order());
                zip.ExtractToDirectory(features);
            }

            // Interpolation, not extrapolation: every third pitch is held out, never the lowest or the highest.
            var train = recordings.Where((_, i) => i % 3 != 1).ToList();
            var heldOut = recordings.Where((_, i) => i % 3 == 1).ToList();
            WriteLabels(Path.Combine(work, "train.csv"), train);
            WriteLabels(Path.Combine(work, "held-out.csv"), heldOut);
            var bundleDir = Path.Combine(work, "bundle");
            await PythonAsync("emi_ml.train", "--features", features, "--branch", "audio", "--labels", Path.Combine(work, "train.csv"),
                "--out", bundleDir, "--name", "synthetic-pitch", "--version", "1.0.0", "--task", SyntheticTask,
                "--epochs", "40", "--batch-size", "8", "--lr", "3e-3");
            var reportPath = Path.Combine(work, "report.json");
            await PythonAsync("emi_ml.evaluate", "--bundle", bundleDir, "--features", features, "--labels", Path.Combine(work, "held-out.csv"), "--json", reportPath);
            var report = JsonDocument.Parse(File.ReadAllText(reportPath)).RootElement;
            Assert.Equal(heldOut.Count, report.GetProperty("audio").GetProperty("clips").GetInt32());
            var heldOutRho = report.GetProperty("audio").GetProperty("mean_pearson").GetDouble();
            Assert.True(heldOutRho > 0.9, $"held-out mean ρ {heldOutRho}: {report}");

            // Heads in: the lab's own bundle, uploaded as the CLI uploads it.
            Assert.Equal(["audio-head.onnx", "manifest.json"], Directory.GetFiles(bundleDir).Select(Path.GetFileName).Order());
            var upload = new ByteArrayContent(Zip(bundleDir));
            upload.Headers.ContentType = new MediaTypeHeaderValue("application/zip");
            var registered = await client.PostAsync("/v1/bundles", upload);
            Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
            var bundle = (await registered.Content.ReadFromJsonAsync<BundleDto>(Json.Options))!;
            Assert.True(bundle.Trained);
            var detail = await client.GetFromJsonAsync<JsonElement>($"/v1/bundles/{bundle.Id}");
            var provenance = detail.GetProperty("manifest").GetProperty("provenance").GetString()!;
            Assert.Contains(SyntheticTask, provenance);
            Assert.Equal(SyntheticTask, detail.GetProperty("manifest").GetProperty("build").GetProperty("task").GetString());

            var rescore = await client.PostAsJsonAsync($"/v1/studies/{studyId}/rescore", new { bundleId = bundle.Id });
            Assert.Equal(HttpStatusCode.Accepted, rescore.StatusCode);
            await WaitForJobsAsync(client, studyId, 2 * Pitches.Length);

            // Heads only: every recording's audio features came from the cache, made by the backbone the bundle names.
            var backbone = detail.GetProperty("manifest").GetProperty("audio").GetProperty("backbone").GetProperty("sha256").GetString();
            var provenances = await ScoreProvenanceAsync(bundle.Id);
            Assert.Equal(Pitches.Length, provenances.Count);
            Assert.All(provenances, p => Assert.Equal((backbone, (bool?)true), (p.Backbone, p.Cached)));

            // The timelines follow the function: each emotion's mean over a recording's windows against its label.
            var predicted = new List<double[]>();
            foreach (var (recording, _) in recordings)
            {
                var timeline = await client.GetFromJsonAsync<JsonElement>($"/v1/recordings/{recording.Id}/timeline?model=synthetic-pitch@1.0.0");
                Assert.Equal("synthetic-pitch", timeline.GetProperty("model").GetProperty("name").GetString());
                Assert.True(timeline.GetProperty("model").GetProperty("trained").GetBoolean());
                var windows = timeline.GetProperty("windows").EnumerateArray().ToList();
                Assert.NotEmpty(windows);
                predicted.Add([.. Emotions.Select(e => windows.Average(w => w.GetProperty(e).GetDouble()))]);
            }
            for (var e = 0; e < Emotions.Length; e++)
            {
                var rho = Pearson([.. predicted.Select(p => p[e])], [.. recordings.Select(r => Labels(r.Level)[e])]);
                Assert.True(rho > 0.9, $"{Emotions[e]}: the timelines' ρ with the function is {rho}");
            }
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static readonly string[] Emotions = ["admiration", "amusement", "determination", "empathic_pain", "excitement", "joy"];

    private static double[] Labels(double level) =>
        [0.1 + (0.8 * level), 0.9 - (0.8 * level), 0.2 + (0.6 * level), 0.5 + (0.4 * (level - 0.5)), 0.8 - (0.6 * level), 0.3 + (0.5 * level)];

    private static void WriteLabels(string path, IEnumerable<(RecordingDto Recording, double Level)> rows)
    {
        var csv = new StringBuilder("Filename,Admiration,Amusement,Determination,Empathic Pain,Excitement,Joy\n");
        foreach (var (recording, level) in rows)
        {
            csv.Append(recording.OriginalFileName).Append(',')
               .AppendJoin(',', Labels(level).Select(v => v.ToString("0.######", CultureInfo.InvariantCulture))).Append('\n');
        }
        File.WriteAllText(path, csv.ToString());
    }

    private static byte[] Zip(string directory)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var file in Directory.GetFiles(directory))
            {
                zip.CreateEntryFromFile(file, Path.GetFileName(file));
            }
        }
        return buffer.ToArray();
    }

    private static double Pearson(double[] x, double[] y)
    {
        var (mx, my) = (x.Average(), y.Average());
        var cov = x.Zip(y, (a, b) => (a - mx) * (b - my)).Sum();
        return cov / Math.Sqrt(x.Sum(a => (a - mx) * (a - mx)) * y.Sum(b => (b - my) * (b - my)));
    }

    private static async Task WaitForJobsAsync(HttpClient client, Guid studyId, int count)
    {
        var last = "";
        await Eventually.WaitAsync(async () =>
        {
            var items = (await client.GetFromJsonAsync<JsonElement>($"/v1/studies/{studyId}/jobs?pageSize=100")).GetProperty("items").EnumerateArray().ToList();
            last = string.Join(", ", items.Select(j => j.GetProperty("state").GetString()));
            Assert.DoesNotContain(items, j => j.GetProperty("state").GetString() is "failed" or "cancelled");
            return items.Count == count && items.All(j => j.GetProperty("state").GetString() == "succeeded");
        }, TimeSpan.FromMinutes(4), $"{count} jobs of the study to succeed", explain: () => last);
    }

    private async Task<List<(string? Backbone, bool? Cached)>> ScoreProvenanceAsync(Guid bundleId)
    {
        await using var connection = new NpgsqlConnection(api.Database.Owner);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT audio_backbone_sha256, audio_features_cached FROM recording_scores WHERE bundle_id = $1", connection);
        command.Parameters.Add(new() { Value = bundleId });
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<(string?, bool?)>();
        while (await reader.ReadAsync())
        {
            rows.Add((reader.IsDBNull(0) ? null : reader.GetString(0).Trim(), reader.IsDBNull(1) ? null : reader.GetBoolean(1)));
        }
        return rows;
    }

    private static async Task PythonAsync(string module, params string[] arguments)
    {
        var start = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-m");
        start.ArgumentList.Add(module);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment["PYTHONPATH"] = Path.Combine(RepoRoot.Path, "ml");
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"python3 -m {module} failed ({process.ExitCode}):\n{await stdout}\n{await stderr}");
    }
}
