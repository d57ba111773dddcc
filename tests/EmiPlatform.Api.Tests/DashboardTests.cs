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
        // Named as the lab knows it: the participant's code and the uploaded file's name.
        Assert.Equal(job.GetProperty("participantCode").GetString(), row.GetProperty("participant").GetString());
        Assert.Equal(job.GetProperty("fileName").GetString(), row.GetProperty("file").GetString());

        Assert.Equal(6, result.GetProperty("series").GetInt32());
        Assert.Equal(0, result.GetProperty("errors").GetArrayLength());
        Assert.True(new FileInfo(screenshot).Length > 10_000, "the screenshot is missing or blank");
    }

    [Fact]
    public async Task A_failed_recording_shows_its_jobs_error_by_file_name_and_the_plot_breaks_where_the_face_was_not_seen()
    {
        var dashboard = Path.Combine(RepoRoot.Path, "web", "dashboard");
        var (key, _, studyId, participantId) = await Uploads.ParticipantAsync(api);
        var client = api.Client(key);
        Assert.Equal(HttpStatusCode.Created, (await Uploads.PostAsync(client, studyId, participantId,
            await TestMedia.FacelessSilentVideoAsync(), "video/mp4", "?fileName=P01_away.mp4")).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await Uploads.PostAsync(client, studyId, participantId,
            await TestMedia.FaceThenNoFaceVideoAsync(), "video/mp4", "?fileName=P01_face.mp4")).StatusCode);
        await Eventually.WaitAsync(async () =>
        {
            var progress = await client.GetFromJsonAsync<StudyProgressDto>($"/v1/studies/{studyId}/progress", Json.Options);
            return progress is { Total: 2, Queued: 0, Running: 0, CompletedAt: not null };
        }, Generous, "both jobs to finish");
        var prefix = Path.Combine(RepoRoot.Path, "artifacts", "dashboard");
        Directory.CreateDirectory(Path.GetDirectoryName(prefix)!);

        using var timeout = new CancellationTokenSource(Generous);
        using var check = Start("node", dashboard, "tests/dashboard-failure-check.mjs",
            client.BaseAddress!.ToString().TrimEnd('/'), key, studyId.ToString(), "P01_away.mp4", "P01_face.mp4", prefix);
        string output;
        try
        {
            var stderr = check.StandardError.ReadToEndAsync(timeout.Token);
            output = await check.StandardOutput.ReadToEndAsync(timeout.Token);
            await check.WaitForExitAsync(timeout.Token);
            Assert.True(check.ExitCode == 0, $"dashboard check failed:\n{output}\n{await stderr}");
        }
        finally
        {
            if (!check.HasExited)
            {
                check.Kill(entireProcessTree: true);
            }
        }
        var result = JsonDocument.Parse(output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last(l => l.StartsWith('{'))).RootElement;

        // The failed recording says so, in the job's words, which name the lab's file and never the worker's copy.
        var failed = result.GetProperty("failed");
        Assert.Equal("failed", failed.GetProperty("scoring").GetString());
        var text = failed.GetProperty("text").GetString()!;
        Assert.Contains("no-face-seen", text, StringComparison.Ordinal);
        Assert.Contains("'P01_away.mp4'", text, StringComparison.Ordinal);
        Assert.DoesNotContain("emi-job-", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Not scored yet", text, StringComparison.Ordinal);

        // The job table names both jobs by participant and file, the failed one with its error.
        var rows = result.GetProperty("rows").EnumerateArray().ToDictionary(r => r.GetProperty("file").GetString()!);
        Assert.Equal(["P01_away.mp4", "P01_face.mp4"], rows.Keys.Order(StringComparer.Ordinal));
        Assert.All(rows.Values, r => Assert.Equal("P01", r.GetProperty("participant").GetString()));
        Assert.Equal("failed", rows["P01_away.mp4"].GetProperty("state").GetString());
        Assert.StartsWith("no-face-seen", rows["P01_away.mp4"].GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal("succeeded", rows["P01_face.mp4"].GetProperty("state").GetString());

        // The face leaves the picture half way: its windows are faceless, and the emotion curves break there.
        var chart = result.GetProperty("chart");
        Assert.True(chart.GetProperty("faceless").GetInt32() > 0);
        Assert.True(chart.GetProperty("gaps").GetInt32() >= chart.GetProperty("faceless").GetInt32(), chart.ToString());
        Assert.Equal(0, result.GetProperty("errors").GetArrayLength());
        Assert.True(new FileInfo(prefix + "-failed.png").Length > 10_000 && new FileInfo(prefix + "-gaps.png").Length > 10_000);
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
