using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EmiPlatform.Api.Recordings;
using EmiPlatform.Api.Tests.Infrastructure;
using EmiPlatform.Testing;
using Npgsql;

namespace EmiPlatform.Api.Tests;

/// <summary>
/// The API host with its embedded worker, and a heartbeat of a minute: only the cancel announced on the bus can stop a
/// running job within seconds. Downloads go to a folder of the fixture's own, so the test sees when an attempt ends.
/// </summary>
public sealed class JobCancelFixture : IAsyncLifetime
{
    public string TempDirectory { get; } = Directory.CreateTempSubdirectory("emi-cancel-").FullName;

    public ApiFactory Api { get; }

    public JobCancelFixture() => Api = new ApiFactory
    {
        Settings =
        {
            ["Scoring:HeartbeatInterval"] = "00:01:00",
            ["Scoring:LeaseDuration"] = "00:05:00",
            ["Scoring:TempDirectory"] = TempDirectory,
        },
    };

    public Task InitializeAsync() => Api.InitializeAsync();

    public async Task DisposeAsync()
    {
        await Api.DisposeAsync();
        Directory.Delete(TempDirectory, recursive: true);
    }
}

public sealed class JobCancelTests(JobCancelFixture fixture) : IClassFixture<JobCancelFixture>
{
    [Fact]
    public async Task A_cancel_stops_the_running_pipeline_at_once_not_at_the_next_heartbeat()
    {
        var api = fixture.Api;
        var (key, _, studyId, participantId) = await Uploads.ParticipantAsync(api);
        var client = api.Client(key);
        var response = await Uploads.PostAsync(client, studyId, participantId, await TestMedia.SlowToScoreVideoAsync());
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var recording = (await response.Content.ReadFromJsonAsync<RecordingDto>(Json.Options))!;

        // Running, and its download is on disk: the pipeline has the file and seconds of work ahead of it.
        var jobId = Guid.Empty;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (jobId == Guid.Empty || !Directory.EnumerateFiles(fixture.TempDirectory).Any())
        {
            Assert.True(DateTime.UtcNow < deadline, "the job never started running");
            await Task.Delay(50);
            using var jobs = JsonDocument.Parse(await client.GetStringAsync($"/v1/studies/{studyId}/jobs?state=running"));
            jobId = jobs.RootElement.GetProperty("items").EnumerateArray().Select(j => j.GetProperty("id").GetGuid()).FirstOrDefault();
        }

        var cancel = await client.PostAsync($"/v1/jobs/{jobId}/cancel", null);
        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        var stopwatch = Stopwatch.StartNew();
        while (Directory.EnumerateFiles(fixture.TempDirectory).Any() && stopwatch.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(20);
        }

        // Scoring the hour takes several seconds and the heartbeat a minute: stopping within two means the announcement.
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(2), $"the attempt ended {stopwatch.Elapsed.TotalSeconds:F1} s after the cancel");
        await using var connection = new NpgsqlConnection(api.Database.Admin);
        await connection.OpenAsync();
        await using var rows = new NpgsqlCommand("SELECT (SELECT count(*) FROM timeline_windows WHERE recording_id = @r), (SELECT state FROM scoring_jobs WHERE id = @j)", connection);
        rows.Parameters.AddWithValue("r", recording.Id);
        rows.Parameters.AddWithValue("j", jobId);
        await using var reader = await rows.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal((0L, "cancelled"), (reader.GetInt64(0), reader.GetString(1)));
    }
}
