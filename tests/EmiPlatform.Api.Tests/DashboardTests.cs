using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using EmiPlatform.Api.Dtos;
using EmiPlatform.Api.Paging;
using EmiPlatform.Api.Tests.Infrastructure;
using EmiPlatform.Testing;

namespace EmiPlatform.Api.Tests;

/// <summary>
/// The dashboard in headless Chromium (Playwright) against a recording really scored by the embedded worker:
/// the plot must be drawn. The screenshot is kept in artifacts/dashboard.png.
/// </summary>
public sealed class DashboardTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task The_dashboard_plots_a_scored_recordings_timeline()
    {
        var dashboard = Path.Combine(RepoPaths.Root, "web", "dashboard");
        Assert.True(File.Exists(Path.Combine(RepoPaths.Root, "src", "EmiPlatform.Api", "wwwroot", "dashboard", "dashboard.js"))
            && Directory.Exists(Path.Combine(dashboard, "node_modules", "playwright-core")),
            "The dashboard is not built: run `make test` (its `web` step runs npm ci and the esbuild bundle).");

        var (key, _, studyId, participantId) = await Uploads.ParticipantAsync(api);
        var client = api.Client(key);
        var upload = await Uploads.PostAsync(client, studyId, participantId, await TestMedia.VideoAsync());
        var recording = (await upload.Content.ReadFromJsonAsync<RecordingDto>(Json.Options))!;
        var job = await WaitForJobAsync(client, studyId);
        Assert.Equal("succeeded", job.GetProperty("state").GetString());

        var screenshot = Path.Combine(RepoPaths.Root, "artifacts", "dashboard.png");
        Directory.CreateDirectory(Path.GetDirectoryName(screenshot)!);
        File.Delete(screenshot);
        var (exit, output) = await RunAsync("node", dashboard, "tests/dashboard-check.mjs",
            client.BaseAddress!.ToString().TrimEnd('/'), key, recording.Id.ToString(), screenshot);

        Assert.True(exit == 0, "dashboard check failed: " + output);
        Assert.True(new FileInfo(screenshot).Length > 10_000, "the screenshot is missing or blank");
        var result = JsonDocument.Parse(output.Split('\n').First(l => l.StartsWith('{'))).RootElement;
        Assert.Equal(6, result.GetProperty("series").GetInt32());
        Assert.True(result.GetProperty("jobs").GetInt32() >= 1, "the job table lists the scoring job");
    }

    private static async Task<JsonElement> WaitForJobAsync(HttpClient client, Guid studyId)
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (true)
        {
            var page = await client.GetFromJsonAsync<JsonElement>($"/v1/studies/{studyId}/jobs");
            var job = page.GetProperty("items").EnumerateArray().Single();
            if (job.GetProperty("state").GetString() is "succeeded" or "failed" or "cancelled" || DateTime.UtcNow > deadline)
            {
                return job;
            }
            await Task.Delay(250);
        }
    }

    private static async Task<(int Exit, string Output)> RunAsync(string file, string directory, params string[] arguments)
    {
        var info = new ProcessStartInfo(file) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
