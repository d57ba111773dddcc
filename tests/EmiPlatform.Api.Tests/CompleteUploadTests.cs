using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using EmiPlatform.Api.Recordings;
using EmiPlatform.Api.Tests.Infrastructure;
using EmiPlatform.Testing;

namespace EmiPlatform.Api.Tests;

/// <summary>
/// <c>complete</c> of a direct upload is idempotent and runs once at a time per recording: calls side by side get 201,
/// 200 or 409, never 500, and one that the client gives up on never deletes the upload's only copy.
/// </summary>
public sealed class CompleteUploadTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private static readonly object Body = new { fileName = "clip.mp4", contentType = "video/mp4", stimulus = "joy-01", trial = "1" };

    [Fact]
    public async Task Ten_concurrent_completes_of_one_upload_give_one_201_and_otherwise_200_or_409_and_one_recording()
    {
        var (key, tenantId, studyId, participantId) = await Uploads.ParticipantAsync(api);
        var client = api.Client(key);
        var bytes = await TestMedia.VideoAsync();
        var upload = await StartAsync(client, studyId, participantId);
        await PutAsync(upload.UploadUrl, bytes);

        var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => client.PostAsJsonAsync(upload.CompleteUrl, Body)));

        var statuses = responses.Select(r => (int)r.StatusCode).ToList();
        Assert.True(statuses.All(s => s is 201 or 200 or 409), $"statuses: {string.Join(", ", statuses)}");
        Assert.Equal(1, statuses.Count(s => s == 201));
        foreach (var response in responses)
        {
            if (response.StatusCode == HttpStatusCode.Conflict)
            {
                await ProblemAssert.IsProblem(response, HttpStatusCode.Conflict, "complete-in-progress");
                Assert.NotNull(response.Headers.RetryAfter);
            }
            else
            {
                Assert.Equal(upload.RecordingId, (await response.Content.ReadFromJsonAsync<RecordingDto>(Json.Options))!.Id);
            }
        }
        var again = await client.PostAsJsonAsync(upload.CompleteUrl, Body);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), (await again.Content.ReadFromJsonAsync<RecordingDto>(Json.Options))!.Sha256);
        Assert.Equal([RecordingBlobs.Name(tenantId, studyId, participantId, upload.RecordingId)], await api.BlobNamesAsync($"{tenantId}/"));
    }

    [Fact]
    public async Task A_complete_the_client_gives_up_on_at_any_point_never_deletes_the_uploads_only_copy()
    {
        var (key, tenantId, studyId, participantId) = await Uploads.ParticipantAsync(api);
        var client = api.Client(key);
        // Over a socket to Kestrel, so a cancelled request is a client that hung up (RequestAborted), as in production.
        using var sockets = new HttpClient { BaseAddress = api.Url };
        sockets.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);

        // How long one complete takes here, so the cancellations below land throughout it: copy, hash, probe, tail check, row.
        var timed = await StartAsync(client, studyId, participantId);
        await PutAsync(timed.UploadUrl, await TestMedia.DistinctWavAsync(700));
        var clock = Stopwatch.StartNew();
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync(timed.CompleteUrl, Body)).StatusCode);
        var whole = clock.Elapsed;

        for (var step = 1; step <= 12; step++)
        {
            var bytes = await TestMedia.DistinctWavAsync(700 + step);
            var upload = await StartAsync(client, studyId, participantId);
            await PutAsync(upload.UploadUrl, bytes);
            using (var giveUp = new CancellationTokenSource(whole * step / 12))
            {
                try
                {
                    (await sockets.PostAsJsonAsync(upload.CompleteUrl, Body, giveUp.Token)).Dispose();
                }
                catch (OperationCanceledException)
                {
                    // the client hung up mid-complete: what this test is about
                }
            }

            // The upload can still be completed (once the abandoned complete has let go of it) with the bytes sent.
            HttpResponseMessage? completed = null;
            await Eventually.WaitAsync(async () =>
            {
                completed = await client.PostAsJsonAsync(upload.CompleteUrl, Body);
                return completed.StatusCode != HttpStatusCode.Conflict
                    || !(await completed.Content.ReadAsStringAsync()).Contains("complete-in-progress", StringComparison.Ordinal);
            }, TimeSpan.FromSeconds(30), "the abandoned complete to let go of the upload");
            var body = await completed!.Content.ReadAsStringAsync();
            Assert.True(completed.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK,
                $"cancelled after {whole * step / 12}: the retry got {(int)completed.StatusCode} {body}");
            var recording = (await completed.Content.ReadFromJsonAsync<RecordingDto>(Json.Options))!;
            Assert.Equal(upload.RecordingId, recording.Id);
            var stored = (await api.Blobs.Container.GetBlobClient(RecordingBlobs.Name(tenantId, studyId, participantId, upload.RecordingId))
                .DownloadContentAsync()).Value.Content.ToArray();
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), Convert.ToHexStringLower(SHA256.HashData(stored)));
        }
    }

    private static async Task<DirectUploadDto> StartAsync(HttpClient client, Guid studyId, Guid participantId)
    {
        var start = await client.PostAsync(Uploads.Path(studyId, participantId) + "/uploads", null);
        start.EnsureSuccessStatusCode();
        return (await start.Content.ReadFromJsonAsync<DirectUploadDto>(Json.Options))!;
    }

    private static async Task PutAsync(Uri url, byte[] bytes)
    {
        using var storage = new HttpClient();
        using var put = new HttpRequestMessage(HttpMethod.Put, url) { Content = new ByteArrayContent(bytes) };
        put.Headers.Add("x-ms-blob-type", "BlockBlob");
        (await storage.SendAsync(put)).EnsureSuccessStatusCode();
    }
}
