using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EmiPlatform.Api.Tests.Infrastructure;
using EmiPlatform.Harness;
using EmiPlatform.Testing;

namespace EmiPlatform.Api.Tests;

/// <summary>The dashboard draws a recording's events as labelled spans and shows a participant's per-event table.</summary>
public sealed class DashboardEventsTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task A_recordings_events_are_labelled_spans_on_its_timeline_and_the_participant_has_a_per_event_table()
    {
        var dashboard = Path.Combine(RepoRoot.Path, "web", "dashboard");
        Assert.True(File.Exists(Path.Combine(RepoRoot.Path, "src", "EmiPlatform.Api", "wwwroot", "dashboard", "dashboard.js"))
            && Directory.Exists(Path.Combine(dashboard, "node_modules", "playwright-core")),
            "The dashboard is not built: run `make web`.");
        var seed = new TimelineSeeder(api);
        var (tenant, key) = await api.CreateTenantAsync();
        var study = await api.CreateStudyAsync(key);
        var participant = await seed.ParticipantAsync(tenant.Id, study.Id, "P01");
        var recording = await seed.RecordingAsync(tenant.Id, study.Id, participant, "P01-session.mp4");
        var bundle = await seed.BundleAsync("dash-ev-" + Guid.NewGuid().ToString("N")[..8], "0.1.0", DateTimeOffset.UtcNow);
        await seed.TimelineAsync(tenant.Id, recording, bundle, 24, seed: 5); // 12 s of 0.5 s windows
        var client = api.Client(key);
        var put = await client.PutAsJsonAsync($"/v1/recordings/{recording}/events", new
        {
            events = new object[]
            {
                new { onset_s = 0.0, offset_s = 2.0, kind = "baseline" },
                new { onset_s = 2.0, offset_s = 5.0, kind = "stimulus", stimulus = "joy-01", trial = "1" },
                new { onset_s = 6.0, offset_s = 8.0, kind = "baseline" },
                new { onset_s = 8.0, offset_s = 11.0, kind = "stimulus", stimulus = "amusement-02", trial = "2" },
            },
        });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var screenshot = Path.Combine(RepoRoot.Path, "artifacts", "dashboard-events.png");
        Directory.CreateDirectory(Path.GetDirectoryName(screenshot)!);

        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        using var check = DashboardTests.Start("node", dashboard, "tests/dashboard-events-check.mjs",
            client.BaseAddress!.ToString().TrimEnd('/'), key, study.Id.ToString(), "P01-session.mp4", screenshot);
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

        var chart = result.GetProperty("chart");
        Assert.Equal(4, chart.GetProperty("events").GetInt32());
        Assert.Equal("baseline | stimulus · joy-01 · trial 1 | baseline | stimulus · amusement-02 · trial 2", chart.GetProperty("labels").GetString());

        var table = result.GetProperty("table");
        Assert.False(table.GetProperty("hidden").GetBoolean());
        var head = table.GetProperty("head").EnumerateArray().Select(h => h.GetString()!).ToList();
        Assert.Contains("joy Δ baseline", head);
        var rows = table.GetProperty("rows").EnumerateArray().Select(r => r.EnumerateArray().Select(c => c.GetString()!).ToArray()).ToList();
        Assert.Equal(4, rows.Count);
        var results = await client.GetFromJsonAsync<JsonElement>($"/v1/studies/{study.Id}/event-results?participantId={participant}");
        var joyBc = results.GetProperty("events")[3].GetProperty("joy_mean_bc").GetDouble();
        Assert.Equal(joyBc.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture), rows[3][head.IndexOf("joy Δ baseline")]);
        Assert.Equal("—", rows[0][head.IndexOf("joy Δ baseline")]); // a baseline is not corrected
        Assert.Equal("amusement-02", rows[3][head.IndexOf("stimulus")]);
        Assert.Equal(0, result.GetProperty("errors").GetArrayLength());
    }
}
