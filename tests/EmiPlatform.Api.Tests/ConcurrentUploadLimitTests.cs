using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using EmiPlatform.Abstractions.Tenants;
using EmiPlatform.Api.Participants;
using EmiPlatform.Api.Recordings;
using EmiPlatform.Api.Tests.Infrastructure;
using EmiPlatform.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace EmiPlatform.Api.Tests;

/// <summary>A tenant's uploads in progress are bounded by its grain (<see cref="UploadLimitedApi.ConcurrentUploads"/> here).</summary>
public sealed class ConcurrentUploadLimitTests(UploadLimitedApi fixture) : IClassFixture<UploadLimitedApi>
{
    private readonly ApiFactory api = fixture.Api;

    [Fact]
    public async Task An_upload_over_the_tenants_concurrent_limit_is_refused_with_nothing_stored_and_one_passes_once_they_finish()
    {
        var (key, tenantId, studyId, first) = await Uploads.ParticipantAsync(api);
        var client = api.Client(key);
        var participants = new List<Guid> { first };
        for (var i = 2; i <= UploadLimitedApi.ConcurrentUploads + 1; i++)
        {
            var created = await client.PostAsJsonAsync($"/v1/studies/{studyId}/participants", new { code = $"P{i:00}" });
            participants.Add((await created.Content.ReadFromJsonAsync<ParticipantDto>(Json.Options))!.Id);
        }
        var bytes = await TestMedia.VideoAsync();
        var tenant = api.Services.GetRequiredService<IGrainFactory>().GetGrain<ITenantGrain>(tenantId);

        // The limit's worth of uploads, each holding its body half sent (one participant each: identical bytes, distinct recordings).
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // Over a socket to Kestrel: the factory's in-memory client hands the app a request only once its body is complete.
        using var sockets = new HttpClient { BaseAddress = api.Url };
        sockets.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        var held = participants.Take(UploadLimitedApi.ConcurrentUploads)
            .Select(p => sockets.PostAsync(Uploads.Path(studyId, p) + "?fileName=held.mp4", Video(new HeldContent(bytes, release.Task))))
            .ToList();
        await UntilAsync(async () => await tenant.UploadsInProgressAsync() == UploadLimitedApi.ConcurrentUploads);

        var refused = await Uploads.PostAsync(client, studyId, participants[^1], bytes, query: "?fileName=refused.mp4");
        await ProblemAssert.IsProblem(refused, HttpStatusCode.TooManyRequests, "too-many-uploads");
        Assert.Equal(TimeSpan.FromSeconds(5), refused.Headers.RetryAfter?.Delta);
        Assert.Empty(await client.GetFromJsonAsync<List<RecordingDto>>(Uploads.Path(studyId, participants[^1]), Json.Options) ?? []);

        release.SetResult();
        foreach (var upload in held)
        {
            Assert.Equal(HttpStatusCode.Created, (await upload).StatusCode);
        }
        Assert.Equal(0, await tenant.UploadsInProgressAsync());

        var after = await Uploads.PostAsync(client, studyId, participants[^1], bytes, query: "?fileName=after.mp4");
        Assert.Equal(HttpStatusCode.Created, after.StatusCode);
        var recording = (await after.Content.ReadFromJsonAsync<RecordingDto>(Json.Options))!;
        Assert.Equal("after.mp4", recording.OriginalFileName);
        // One blob per recording: the refused upload left none behind (the fixture's sweep checks for orphans too).
        Assert.Equal(UploadLimitedApi.ConcurrentUploads + 1, (await api.BlobNamesAsync($"{tenantId}/")).Count);
    }

    [Fact]
    public async Task Completing_a_direct_upload_takes_a_slot_too()
    {
        var (key, tenantId, studyId, participantId) = await Uploads.ParticipantAsync(api);
        var client = api.Client(key);
        var tenant = api.Services.GetRequiredService<IGrainFactory>().GetGrain<ITenantGrain>(tenantId);
        var start = await client.PostAsync(Uploads.Path(studyId, participantId) + "/uploads", null);
        var direct = (await start.Content.ReadFromJsonAsync<DirectUploadDto>(Json.Options))!;

        // Every slot taken by uploads in progress elsewhere (another API host, say): complete is refused and can be retried.
        var others = Enumerable.Range(0, UploadLimitedApi.ConcurrentUploads).Select(_ => Guid.NewGuid()).ToList();
        foreach (var id in others)
        {
            Assert.True(await tenant.TryTakeUploadSlotAsync(id));
        }
        Assert.False(await tenant.TryTakeUploadSlotAsync(Guid.NewGuid()));
        var body = new { fileName = "direct.mp4", contentType = "video/mp4", stimulus = "joy-01", trial = "1" };
        await ProblemAssert.IsProblem(await client.PostAsJsonAsync(direct.CompleteUrl, body), HttpStatusCode.TooManyRequests, "too-many-uploads");

        foreach (var id in others)
        {
            await tenant.ReleaseUploadSlotAsync(id);
        }
        using var put = new HttpRequestMessage(HttpMethod.Put, direct.UploadUrl) { Content = new ByteArrayContent(await TestMedia.VideoAsync()) };
        put.Headers.Add("x-ms-blob-type", "BlockBlob");
        using var storage = new HttpClient();
        (await storage.SendAsync(put)).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync(direct.CompleteUrl, body)).StatusCode);
        Assert.Equal(0, await tenant.UploadsInProgressAsync());
    }

    [Fact]
    public async Task A_complete_of_an_upload_that_another_complete_is_working_on_is_a_409_that_copies_nothing()
    {
        var (key, tenantId, studyId, participantId) = await Uploads.ParticipantAsync(api);
        var client = api.Client(key);
        var tenant = api.Services.GetRequiredService<IGrainFactory>().GetGrain<ITenantGrain>(tenantId);
        var start = await client.PostAsync(Uploads.Path(studyId, participantId) + "/uploads", null);
        var direct = (await start.Content.ReadFromJsonAsync<DirectUploadDto>(Json.Options))!;
        using var put = new HttpRequestMessage(HttpMethod.Put, direct.UploadUrl) { Content = new ByteArrayContent(await TestMedia.VideoAsync()) };
        put.Headers.Add("x-ms-blob-type", "BlockBlob");
        using var storage = new HttpClient();
        (await storage.SendAsync(put)).EnsureSuccessStatusCode();
        var staging = RecordingBlobs.StagingName(tenantId, studyId, participantId, direct.RecordingId);
        var body = new { fileName = "direct.mp4", contentType = "video/mp4" };

        // A complete of this very upload holds its slot (on another API host, say): a repeat waits its turn, one slot in all.
        Assert.True(await tenant.TryTakeUploadSlotAsync(direct.RecordingId));
        var repeat = await client.PostAsJsonAsync(direct.CompleteUrl, body);
        await ProblemAssert.IsProblem(repeat, HttpStatusCode.Conflict, "complete-in-progress");
        Assert.Equal(TimeSpan.FromSeconds(5), repeat.Headers.RetryAfter?.Delta);
        Assert.Equal([staging], await api.BlobNamesAsync($"{tenantId}/"));
        Assert.Equal(1, await tenant.UploadsInProgressAsync());

        await tenant.ReleaseUploadSlotAsync(direct.RecordingId);
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync(direct.CompleteUrl, body)).StatusCode);
        Assert.Equal(0, await tenant.UploadsInProgressAsync());
    }

    private static HttpContent Video(HttpContent content)
    {
        content.Headers.ContentType = new MediaTypeHeaderValue("video/mp4");
        return content;
    }

    private static async Task UntilAsync(Func<Task<bool>> condition)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), "the held uploads never took their slots");
            await Task.Delay(20);
        }
    }
}
