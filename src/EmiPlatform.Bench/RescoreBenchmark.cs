using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;

namespace EmiPlatform.Bench;

/// <summary>
/// <c>rescore</c> (issue 25 item 4): heads-only re-scores. A study of generated recordings is uploaded (scored with the
/// platform's default bundle, whose backbones differ), then re-scored with bundle A (the <b>first score</b> with A's
/// backbones: every backbone runs and its features go to the feature cache) and re-scored again with bundle B, which
/// shares A's backbones and has new heads (the <b>re-score</b>: heads only, on the cached features). Prints re-score ÷
/// first score in wall seconds (from the re-score request to the last job's timeline) and in CPU seconds of the
/// platform's process (with its ffmpeg children), and the cache's bytes per recording-hour. See docs/inference.md.
/// </summary>
internal static class RescoreBenchmark
{
    public const string Usage = """
        usage: EmiPlatform.Bench rescore [--bundle A] [--new-head B] [--recordings N] [--seconds S] [--work-dir DIR]
          A (default .local/models/reference-base) and B (default .local/models/reference-base-head2) are bundle
          directories whose backbones are the same files (B made with `emi_ml.export --backbones-from A`).
          N generated recordings (default 4) of S seconds (default 60): 320x240 test pattern at 25 fps with a tone.
          Embedded topology (one API process that scores). Needs EMI_PG*, EMI_AZURITE (. .local/env.sh) and a Release
          build of src/EmiPlatform.Api and src/EmiPlatform.Bench.
        """;

    public static async Task<int> RunAsync(BenchArguments options)
    {
        var root = RepoRoot.Path;
        var bundleA = Path.GetFullPath(options.Text("bundle", Path.Combine(root, ".local", "models", "reference-base")));
        var bundleB = Path.GetFullPath(options.Text("new-head", Path.Combine(root, ".local", "models", "reference-base-head2")));
        var count = options.Int("recordings", 4);
        var seconds = options.Int("seconds", 60);
        var work = options.Text("work-dir", Path.Combine(Path.GetTempPath(), "emi-bench-rescore"));
        Directory.CreateDirectory(work);
        var files = new List<string>();
        for (var i = 0; i < count; i++)
        {
            files.Add(await ScoringBenchmark.MakeRecordingAsync(work, i, seconds));
        }

        await using var platform = await Platform.CreateAsync(Topology.Embedded, "bench");
        await platform.StartAsync();
        var lab = await platform.CreateLabAsync("Rescore bench");
        foreach (var file in files)
        {
            await lab.UploadFileAsync(file, "video/mp4");
        }
        await platform.WaitUntilAsync(async () => await platform.JobsAsync(lab.StudyId, "succeeded") == files.Count,
            TimeSpan.FromMinutes(20), "the uploads' jobs (default bundle) to succeed");

        using var admin = platform.Client(platform.AdminKey);
        var a = await RegisterAsync(admin, bundleA);
        var b = await RegisterAsync(admin, bundleB);
        Console.WriteLine($"{count} recordings of {seconds} s; A = {bundleA}; B = {bundleB} (same backbones, new heads); {Environment.ProcessorCount} cores");

        var first = await RescoreAsync(platform, lab, a, files.Count);
        var cacheBytes = await platform.ScalarAsync<long>("SELECT coalesce(sum(e.size_bytes), 0)::bigint FROM feature_cache_entries e JOIN recordings r ON r.id = e.recording_id WHERE r.study_id = $1 AND e.created_at >= $2", lab.StudyId, first.Started);
        var second = await RescoreAsync(platform, lab, b, files.Count);
        var cachedBranches = await platform.ScalarAsync<long>(
            "SELECT count(*) FROM recording_scores s JOIN recordings r ON r.id = s.recording_id WHERE r.study_id = $1 AND s.bundle_id = $2 AND s.audio_features_cached AND s.visual_features_cached", lab.StudyId, b);
        var hours = await platform.ScalarAsync<double>("SELECT sum(duration_seconds) FROM recordings WHERE study_id = $1", lab.StudyId) / 3600;

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"first score (A, backbones run, cache written): wall {first.Wall:F2} s, platform CPU {first.Cpu:F2} s, machine busy {first.Machine:F2} core-s"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"re-score (B, heads only; {cachedBranches}/{files.Count} recordings with both branches from the cache): wall {second.Wall:F2} s, platform CPU {second.Cpu:F2} s, machine busy {second.Machine:F2} core-s"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"re-score / first score: wall {second.Wall / first.Wall:F3}, CPU {second.Cpu / first.Cpu:F3}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"feature cache: {cacheBytes} bytes for {hours * 3600:F0} recording-seconds = {cacheBytes / hours / 1e6:F1} MB per recording-hour; {LoadAverage.Now()}"));
        return 0;
    }

    private sealed record Phase(DateTime Started, double Wall, double Cpu, double Machine);

    private static async Task<Guid> RegisterAsync(HttpClient admin, string location)
    {
        using var response = await admin.PostAsJsonAsync("/v1/admin/bundles", new { location });
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"registering {location}: {(int)response.StatusCode} {body}");
        }
        return JsonDocument.Parse(body).RootElement.GetProperty("id").GetGuid();
    }

    private static async Task<Phase> RescoreAsync(Platform platform, Lab lab, Guid bundleId, int expected)
    {
        var started = await platform.NowAsync();
        var host = platform.Hosts[0];
        var cpu = MachineCpu.ProcessSeconds(host.Pid);
        var machine = MachineCpu.BusySeconds();
        var watch = Stopwatch.StartNew();
        using var response = await lab.Client.PostAsJsonAsync($"/v1/studies/{lab.StudyId}/rescore", new { bundleId });
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"rescore: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
        await platform.WaitUntilAsync(async () => await platform.ScalarAsync<long>(
                "SELECT count(*) FROM scoring_jobs WHERE study_id = $1 AND bundle_id = $2 AND state = 'succeeded'", lab.StudyId, bundleId) == expected,
            TimeSpan.FromMinutes(30), "the re-score's jobs to succeed", TimeSpan.FromMilliseconds(100));
        watch.Stop();
        return new Phase(started, watch.Elapsed.TotalSeconds, MachineCpu.ProcessSeconds(host.Pid) - cpu, MachineCpu.BusySeconds() - machine);
    }
}
