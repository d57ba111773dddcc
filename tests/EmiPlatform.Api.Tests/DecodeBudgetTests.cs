using System.Net;
using System.Net.Http.Json;
using EmiPlatform.Api.Jobs;
using EmiPlatform.Api.Recordings;
using EmiPlatform.Api.Tests.Infrastructure;
using EmiPlatform.Harness;
using EmiPlatform.Testing;

namespace EmiPlatform.Api.Tests;

/// <summary>A host whose decodes may take 100 ms of wall-clock time whatever the recording's length.</summary>
public sealed class TightDecodeBudgetApi : IAsyncLifetime
{
    public ApiFactory Api { get; } = new()
    {
        Settings =
        {
            ["Media:DecodeTimeout"] = "00:00:00.1",
            ["Media:DecodeTimeoutPerMediaSecond"] = "0",
        },
    };

    public Task InitializeAsync() => Api.InitializeAsync();

    public async Task DisposeAsync() => await Api.DisposeAsync();
}

/// <summary>
/// Media that costs more to decode than its budget fails its job at the first attempt (issue 23): a retry would cost
/// the same, holding a scoring slot three times as long.
/// </summary>
public sealed class DecodeBudgetTests(TightDecodeBudgetApi host) : IClassFixture<TightDecodeBudgetApi>
{
    [Fact]
    public async Task A_decode_past_its_budget_fails_the_job_without_a_retry()
    {
        var api = host.Api;
        var (key, _, studyId, participantId) = await Uploads.ParticipantAsync(api);
        var client = api.Client(key);
        var created = await Uploads.PostAsync(client, studyId, participantId, await TestMedia.ToneAsync(31, seconds: 20), "audio/wav", "?fileName=long.wav");
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var recording = (await created.Content.ReadFromJsonAsync<RecordingDto>(Json.Options))!;

        JobDto? job = null;
        await Eventually.WaitAsync(async () =>
        {
            var page = await client.GetFromJsonAsync<EmiPlatform.Api.Paging.Page<JobDto>>($"/v1/studies/{studyId}/jobs", Json.Options);
            job = page!.Items.Single(j => j.RecordingId == recording.Id);
            return job.State is "failed" or "succeeded";
        }, TimeSpan.FromMinutes(2), "the job never ended");

        Assert.Equal("failed", job!.State);
        Assert.Equal(1, job.Attempts);
        Assert.Contains("costs too much to decode", job.Error, StringComparison.Ordinal);
        Assert.Contains("long.wav", job.Error, StringComparison.Ordinal);
    }
}
