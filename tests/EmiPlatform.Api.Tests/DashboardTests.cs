using System.Diagnostics;
using System.Globalization;
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
        // The faceless job can fail before the second upload, which then starts a run of its own.
        await Eventually.WaitAsync(async () =>
        {
            var jobs = (await client.GetFromJsonAsync<JsonElement>($"/v1/studies/{studyId}/jobs")).GetProperty("items").EnumerateArray().ToList();
            return jobs.Count == 2 && jobs.All(j => j.GetProperty("state").GetString() is "succeeded" or "failed" or "cancelled");
        }, Generous, "both uploads' jobs to finish");
        // The page's job table is the latest run's: re-scoring the study puts both recordings into one run.
        var rescore = await client.PostAsJsonAsync($"/v1/studies/{studyId}/rescore", new { });
        Assert.Equal(2, (await rescore.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("queued").GetInt32());
        await Eventually.WaitAsync(async () =>
        {
            var progress = await client.GetFromJsonAsync<StudyProgressDto>($"/v1/studies/{studyId}/progress", Json.Options);
            return progress is { Total: 2, Queued: 0, Running: 0, CompletedAt: not null };
        }, Generous, "both jobs of the re-scoring run to finish");
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

    [Fact]
    public async Task The_recording_plays_beside_its_plot_with_a_cursor_linked_both_ways_and_the_perception_curves_selectable()
    {
        var dashboard = Path.Combine(RepoRoot.Path, "web", "dashboard");
        var (key, _, studyId, participantId) = await Uploads.ParticipantAsync(api);
        var client = api.Client(key);
        // The public-domain astronaut's face for two seconds, then none: FaceMesh and the expression model see it.
        var created = await Uploads.PostAsync(client, studyId, participantId, await TestMedia.FaceThenNoFaceVideoAsync(), "video/mp4",
            "?fileName=P01_face.mp4");
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var recordingId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        await Eventually.WaitAsync(async () =>
        {
            var progress = await client.GetFromJsonAsync<StudyProgressDto>($"/v1/studies/{studyId}/progress", Json.Options);
            return progress is { Total: 1, Succeeded: 1, CompletedAt: not null };
        }, Generous, "the recording to be scored");
        var screenshot = Path.Combine(RepoRoot.Path, "artifacts", "dashboard-media.png");
        Directory.CreateDirectory(Path.GetDirectoryName(screenshot)!);
        File.Delete(screenshot);

        using var timeout = new CancellationTokenSource(Generous);
        using var check = Start("node", dashboard, "tests/dashboard-media-check.mjs",
            client.BaseAddress!.ToString().TrimEnd('/'), key, studyId.ToString(), "P01_face.mp4", screenshot);
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

        // The player's source is the recording's own blob, reached through the content link (a read SAS), and it loaded.
        using var noRedirects = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = client.BaseAddress };
        noRedirects.DefaultRequestHeaders.Authorization = client.DefaultRequestHeaders.Authorization;
        using var content = await noRedirects.GetAsync($"/v1/recordings/{recordingId}/content");
        Assert.Equal(HttpStatusCode.Found, content.StatusCode);
        var media = result.GetProperty("media");
        var src = new Uri(media.GetProperty("src").GetString()!);
        Assert.Equal(content.Headers.Location!.GetLeftPart(UriPartial.Path), src.GetLeftPart(UriPartial.Path));
        Assert.Contains("sig=", src.Query, StringComparison.Ordinal);
        Assert.InRange(media.GetProperty("duration").GetDouble(), 3.5, 4.5);

        // Clicking three quarters along the plot seeks there; the media's time moves the playhead, seeking and playing.
        var clicked = result.GetProperty("clicked");
        Assert.InRange(clicked.GetProperty("currentTime").GetDouble(), 2.0, 4.5);
        Assert.Equal(clicked.GetProperty("currentTime").GetDouble(), double.Parse(clicked.GetProperty("playheadS").GetString()!, CultureInfo.InvariantCulture), 2);
        var seeked = result.GetProperty("seeked");
        Assert.Equal(0.5, double.Parse(seeked.GetProperty("playheadS").GetString()!, CultureInfo.InvariantCulture), 2);
        var played = result.GetProperty("played");
        Assert.True(played.GetProperty("to").GetDouble() > played.GetProperty("from").GetDouble() + 0.5, played.ToString());
        Assert.Equal(played.GetProperty("to").GetDouble(), played.GetProperty("playheadS").GetDouble(), 1);

        // The selector swaps the six EMI curves for the expressions, the descriptors and the head pose, each with its unit.
        var emi = result.GetProperty("emi");
        Assert.Equal(6, emi.GetProperty("series").GetArrayLength());
        Assert.Contains("EMI intensity: model output, 0–1", emi.GetProperty("axis").GetString(), StringComparison.Ordinal);
        var expressions = result.GetProperty("expressions");
        Assert.Equal(7, expressions.GetProperty("series").GetArrayLength());
        Assert.Contains(expressions.GetProperty("series").EnumerateArray(), s => s.GetString()!.StartsWith("happy", StringComparison.Ordinal));
        Assert.Contains("probability (0–1)", expressions.GetProperty("axis").GetString(), StringComparison.Ordinal);
        Assert.True(int.Parse(expressions.GetProperty("points").GetString()!, CultureInfo.InvariantCulture) > 0);
        var descriptors = result.GetProperty("descriptors");
        Assert.Equal(8, descriptors.GetProperty("series").GetArrayLength());
        Assert.Contains(descriptors.GetProperty("series").EnumerateArray(), s => s.GetString()!.StartsWith("≈AU12 lip corner pull", StringComparison.Ordinal));
        Assert.Contains("not FACS", descriptors.GetProperty("axis").GetString(), StringComparison.Ordinal);
        Assert.True(int.Parse(descriptors.GetProperty("points").GetString()!, CultureInfo.InvariantCulture) > 0);
        var pose = result.GetProperty("pose");
        Assert.Equal(3, pose.GetProperty("series").GetArrayLength());
        Assert.Contains("degrees", pose.GetProperty("axis").GetString(), StringComparison.Ordinal);
        // The face leaves half way: its faceless windows are shaded and the expression curves break there.
        Assert.True(int.Parse(expressions.GetProperty("facelessWindows").GetString()!, CultureInfo.InvariantCulture) > 0);
        Assert.True(int.Parse(expressions.GetProperty("gaps").GetString()!, CultureInfo.InvariantCulture) > 0);

        Assert.Equal(0, result.GetProperty("errors").GetArrayLength());
        Assert.True(new FileInfo(screenshot).Length > 10_000, "the screenshot is missing or blank");
    }

    internal static Process Start(string file, string directory, params string[] arguments)
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
