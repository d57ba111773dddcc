using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using EmiPlatform.Api.Tests.Infrastructure;
using EmiPlatform.Testing;

namespace EmiPlatform.Api.Tests;

/// <summary>
/// The dashboard in headless Chromium (Playwright) on a study with seeded results: the key leaves the address bar once
/// read, a wrong key is told so plainly, the study view has one row per participant, and the plot's axes state their
/// scale (VAD on its own axis, time from 0). Screenshots are kept as artifacts/dashboard-key-*.png.
/// </summary>
public sealed class DashboardKeyAndStudyViewTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private readonly TimelineSeeder seed = new(api);

    [Fact]
    public async Task The_key_leaves_the_address_bar_a_wrong_key_is_told_plainly_and_the_study_view_and_axes_say_what_they_show()
    {
        var dashboard = Path.Combine(RepoRoot.Path, "web", "dashboard");
        Assert.True(File.Exists(Path.Combine(RepoRoot.Path, "src", "EmiPlatform.Api", "wwwroot", "dashboard", "dashboard.js"))
            && Directory.Exists(Path.Combine(dashboard, "node_modules", "playwright-core")),
            "The dashboard is not built: run `make test` (its `web` step runs npm ci and the esbuild bundle).");

        var (tenant, key) = await api.CreateTenantAsync();
        var study = await api.CreateStudyAsync(key, "Study view");
        var bundle = await seed.BundleAsync("view-" + Guid.NewGuid().ToString("N")[..8], "0.1.0", DateTimeOffset.UtcNow);
        var p1 = await seed.ParticipantAsync(tenant.Id, study.Id, "P01");
        var p2 = await seed.ParticipantAsync(tenant.Id, study.Id, "P02");
        foreach (var (participant, file, seedValue) in new[] { (p1, "a.mp4", 1), (p1, "b.mp4", 2), (p2, "c.mp4", 3) })
        {
            var recording = await seed.RecordingAsync(tenant.Id, study.Id, participant, file);
            await seed.TimelineAsync(tenant.Id, recording, bundle, 6, seed: seedValue);
            await seed.JobAsync(tenant.Id, study.Id, recording, bundle, "succeeded", null, DateTimeOffset.UtcNow);
        }
        var failed = await seed.RecordingAsync(tenant.Id, study.Id, p2, "away.mp4");
        await seed.JobAsync(tenant.Id, study.Id, failed, bundle, "failed", "no-face-seen: no face in 'away.mp4'", DateTimeOffset.UtcNow);

        var prefix = Path.Combine(RepoRoot.Path, "artifacts", "dashboard-key");
        Directory.CreateDirectory(Path.GetDirectoryName(prefix)!);
        var result = await RunCheckAsync(dashboard, api.Client(key).BaseAddress!.ToString().TrimEnd('/'), key, study.Id.ToString(), prefix);

        // The key is read from the fragment, then gone from the address bar, kept by the tab across a reload.
        Assert.DoesNotContain("key=", result.GetProperty("address").GetString(), StringComparison.Ordinal);
        Assert.Equal(key, result.GetProperty("stored").GetString());
        Assert.DoesNotContain("key=", result.GetProperty("afterReload").GetProperty("address").GetString(), StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(result.GetProperty("afterReload").GetProperty("who").GetString()), "a reload lost the key");

        // A wrong key: a sentence for a person, nothing about HTTP headers, and nothing kept.
        var refused = result.GetProperty("refused");
        var notice = refused.GetProperty("notice").GetString()!;
        Assert.Contains("key was not accepted", notice, StringComparison.Ordinal);
        Assert.DoesNotContain("Authorization", notice, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("key=", refused.GetProperty("address").GetString(), StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Null, refused.GetProperty("stored").ValueKind);

        // One row per participant: recordings, scored, failed, then the mean of each emotion over the scored ones.
        var rows = result.GetProperty("summary").EnumerateArray().Select(r => r.EnumerateArray().Select(c => c.GetString()!).ToArray()).ToList();
        Assert.Equal(["P01", "2", "2", "0"], rows[0][..4]);
        Assert.Equal(["P02", "2", "1", "1"], rows[1][..4]);
        Assert.Contains("mean joy", result.GetProperty("summaryHead").EnumerateArray().Select(h => h.GetString()));
        Assert.All(rows.SelectMany(r => r[4..]), m => Assert.InRange(double.Parse(m, CultureInfo.InvariantCulture), 0, 1));

        // The axes: the intensity's scale stated (untrained model said), VAD on its own axis when shown, time from 0.
        var emi = result.GetProperty("emi");
        Assert.Contains("0–1", emi.GetProperty("axis").GetString(), StringComparison.Ordinal);
        Assert.Contains("untrained", emi.GetProperty("axis").GetString(), StringComparison.Ordinal);
        Assert.Equal("", emi.GetProperty("vadAxis").GetString());
        Assert.Equal("0", emi.GetProperty("xMin").GetString());
        var vad = result.GetProperty("vad");
        Assert.Contains("valence", vad.GetProperty("vadAxis").GetString(), StringComparison.Ordinal);
        Assert.Equal("0", vad.GetProperty("xMin").GetString());
        var legend = result.GetProperty("legend").EnumerateArray().Select(l => l.GetString()!).ToList();
        foreach (var name in new[] { "valence", "arousal", "dominance" })
        {
            Assert.Contains(legend, l => l.StartsWith($"{name} (VAD, right axis)", StringComparison.Ordinal));
        }
        Assert.Equal(0, result.GetProperty("errors").GetArrayLength());
    }

    private static async Task<JsonElement> RunCheckAsync(string dashboard, params string[] arguments)
    {
        var info = new ProcessStartInfo("node")
        {
            WorkingDirectory = dashboard,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
        };
        info.ArgumentList.Add("tests/dashboard-key-check.mjs");
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        using var check = Process.Start(info)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            var stderr = check.StandardError.ReadToEndAsync(timeout.Token);
            var output = await check.StandardOutput.ReadToEndAsync(timeout.Token);
            await check.WaitForExitAsync(timeout.Token);
            Assert.True(check.ExitCode == 0, $"dashboard check failed:\n{output}\n{await stderr}");
            return JsonDocument.Parse(output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last(l => l.StartsWith('{'))).RootElement;
        }
        finally
        {
            // A check that fails or hangs must not leave a browser behind.
            if (!check.HasExited)
            {
                check.Kill(entireProcessTree: true);
            }
        }
    }
}
