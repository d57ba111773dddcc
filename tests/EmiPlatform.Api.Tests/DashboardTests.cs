using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using EmiPlatform.Api.Progress;
using EmiPlatform.Api.Tests.Infrastructure;
using EmiPlatform.Testing;

namespace EmiPlatform.Api.Tests;

/// <summary>
/// The dashboard in headless Chromium (Playwright) while the embedded worker really scores an upload: the page is open
/// on the study before the upload, its live progress (the study's event stream) must follow the job to the end, and
/// the recording's plot must then be drawn. The screenshot is kept in artifacts/dashboard.png.
/// </summary>
public sealed class DashboardTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private static readonly TimeSpan Generous = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task The_dashboard_follows_a_scoring_run_live_and_plots_the_recordings_timeline()
    {
        var dashboard = Path.Combine(RepoRoot.Path, "web", "dashboard");
        Assert.True(File.Exists(Path.Combine(RepoRoot.Path, "src", "EmiPlatform.Api", "wwwroot", "dashboard", "dashboard.js"))
            && Directory.Exists(Path.Combine(dashboard, "node_modules", "playwright-core")),
            "The dashboard is not built: run `make test` (its `web` step runs npm ci and the esbuild bundle).");

        var (key, _, studyId, participantId) = await Uploads.ParticipantAsync(api);
        var client = api.Client(key);
        var screenshot = Path.Combine(RepoRoot.Path, "artifacts", "dashboard.png");
        Directory.CreateDirectory(Path.GetDirectoryName(screenshot)!);
        File.Delete(screenshot);

        using var timeout = new CancellationTokenSource(Generous);
        using var check = Start("node", dashboard, "tests/dashboard-check.mjs",
            client.BaseAddress!.ToString().TrimEnd('/'), key, studyId.ToString(), screenshot);
        // A check that fails or hangs must not leave a browser behind.
        JsonElement result;
        try
        {
            var stderr = check.StandardError.ReadToEndAsync(timeout.Token);
            var lines = new List<string>();
            async Task<string> NextJsonAsync()
            {
                while (await check.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
                {
                    lines.Add(line);
                    if (line.StartsWith('{'))
                    {
                        return line;
                    }
                }
                Assert.Fail($"dashboard check ended early:\n{string.Join('\n', lines)}\n{await stderr}");
                return "";
            }

            // The page is on the study, connected, showing that no run has happened yet; only now does the upload go in.
            var ready = JsonDocument.Parse(await NextJsonAsync()).RootElement;
            Assert.True(ready.GetProperty("ready").GetBoolean());
            Assert.Equal("no scoring run yet", ready.GetProperty("before").GetString());
            var upload = await Uploads.PostAsync(client, studyId, participantId, await TestMedia.VideoAsync());
            Assert.Equal(HttpStatusCode.Created, upload.StatusCode);

            result = JsonDocument.Parse(await NextJsonAsync()).RootElement;
            await check.WaitForExitAsync(timeout.Token);
            Assert.True(check.ExitCode == 0, $"dashboard check failed:\n{string.Join('\n', lines)}\n{await stderr}");
        }
        finally
        {
            if (!check.HasExited)
            {
                check.Kill(entireProcessTree: true);
            }
        }

        // The counters on the page reached the run's final state, which is the API's own.
        var progress = await client.GetFromJsonAsync<StudyProgressDto>($"/v1/studies/{studyId}/progress", Json.Options);
        Assert.Equal(1, progress!.Succeeded);
        var counters = result.GetProperty("counters");
        Assert.Equal(progress.Succeeded, counters.GetProperty("succeeded").GetInt32());
        Assert.Equal(0, counters.GetProperty("queued").GetInt32() + counters.GetProperty("running").GetInt32()
            + counters.GetProperty("failed").GetInt32() + counters.GetProperty("cancelled").GetInt32());
        Assert.Equal(1.0, result.GetProperty("bar").GetDouble());
        Assert.Equal("done", result.GetProperty("eta").GetString());

        // The job's row went through its states on screen, live, and carries the job's model.
        var seen = result.GetProperty("seen").EnumerateArray().Select(s => s.GetString()).ToList();
        Assert.Contains(seen, s => s is "queued" or "running");
        Assert.Equal("succeeded", seen[^1]);
        var jobs = await client.GetFromJsonAsync<JsonElement>($"/v1/studies/{studyId}/jobs");
        var job = jobs.GetProperty("items").EnumerateArray().Single();
        var row = Assert.Single(result.GetProperty("rows").EnumerateArray());
        Assert.Equal(job.GetProperty("id").GetString(), row.GetProperty("id").GetString());
        Assert.Equal("succeeded", row.GetProperty("state").GetString());
        Assert.Equal($"{job.GetProperty("bundle").GetProperty("name").GetString()} {job.GetProperty("bundle").GetProperty("version").GetString()}",
            row.GetProperty("model").GetString());

        Assert.Equal(6, result.GetProperty("series").GetInt32());
        Assert.Equal(0, result.GetProperty("errors").GetArrayLength());
        Assert.True(new FileInfo(screenshot).Length > 10_000, "the screenshot is missing or blank");
    }

    private static Process Start(string file, string directory, params string[] arguments)
    {
        var info = new ProcessStartInfo(file)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        return Process.Start(info)!;
    }
}
