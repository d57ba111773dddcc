using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using EmiPlatform.Api.Recordings;
using EmiPlatform.Api.Storage;
using EmiPlatform.Api.Tests.Infrastructure;
using EmiPlatform.Testing;

namespace EmiPlatform.Api.Tests;

/// <summary>
/// An upload's blob is deleted only when the platform knows no row refers to it: a registration whose outcome is
/// unknown (the study's silo timed out or was lost) keeps it, for its row or for the storage sweep.
/// </summary>
public sealed class RegistrationFailureTests(LostRepliesApi fixture) : IClassFixture<LostRepliesApi>
{
    private readonly ApiFactory api = fixture.Api;

    [Fact]
    public async Task A_registration_whose_reply_was_lost_after_the_row_committed_keeps_its_blob_and_answers_with_the_row()
    {
        var (key, tenantId, studyId, participantId) = await Uploads.ParticipantAsync(api);
        var client = api.Client(key);
        var bytes = await TestMedia.DistinctWavAsync(800);

        var response = await Uploads.PostAsync(client, studyId, participantId, bytes, "audio/wav", $"?fileName={LoseRegistrationReplies.AfterCommit}.wav");

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var recording = (await response.Content.ReadFromJsonAsync<RecordingDto>(Json.Options))!;
        var blob = RecordingBlobs.Name(tenantId, studyId, participantId, recording.Id);
        Assert.Equal([blob], await api.BlobNamesAsync($"{tenantId}/"));
        var stored = (await api.Blobs.Container.GetBlobClient(blob).DownloadContentAsync()).Value.Content.ToArray();
        Assert.Equal(recording.Sha256, Convert.ToHexStringLower(SHA256.HashData(stored)));
        // A retry of the same bytes finds the recording, with its bytes.
        var retry = await Uploads.PostAsync(client, studyId, participantId, bytes, "audio/wav", "?fileName=retry.wav");
        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        Assert.Equal(recording.Id, (await retry.Content.ReadFromJsonAsync<RecordingDto>(Json.Options))!.Id);
        Assert.Equal([blob], await api.BlobNamesAsync($"{tenantId}/"));
    }

    [Fact]
    public async Task A_direct_upload_whose_reply_was_lost_after_the_row_committed_keeps_its_blob_and_completes()
    {
        var (key, tenantId, studyId, participantId) = await Uploads.ParticipantAsync(api);
        var client = api.Client(key);
        var bytes = await TestMedia.DistinctWavAsync(801);
        var upload = (await (await client.PostAsync(Uploads.Path(studyId, participantId) + "/uploads", null)).Content.ReadFromJsonAsync<DirectUploadDto>(Json.Options))!;
        using (var storage = new HttpClient())
        using (var put = new HttpRequestMessage(HttpMethod.Put, upload.UploadUrl) { Content = new ByteArrayContent(bytes) })
        {
            put.Headers.Add("x-ms-blob-type", "BlockBlob");
            (await storage.SendAsync(put)).EnsureSuccessStatusCode();
        }

        var completed = await client.PostAsJsonAsync(upload.CompleteUrl, new { fileName = $"{LoseRegistrationReplies.AfterCommit}.wav" });

        Assert.Equal(HttpStatusCode.Created, completed.StatusCode);
        var blob = RecordingBlobs.Name(tenantId, studyId, participantId, upload.RecordingId);
        Assert.Equal([blob], await api.BlobNamesAsync($"{tenantId}/"));
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync(upload.CompleteUrl, new { fileName = "again.wav" })).StatusCode);
        var stored = (await api.Blobs.Container.GetBlobClient(blob).DownloadContentAsync()).Value.Content.ToArray();
        Assert.Equal(bytes, stored);
    }

    [Fact]
    public async Task A_registration_lost_before_an_answer_is_a_503_that_leaves_its_blob_to_the_sweep()
    {
        var (key, tenantId, studyId, participantId) = await Uploads.ParticipantAsync(api);
        var client = api.Client(key);
        var bytes = await TestMedia.DistinctWavAsync(802);

        var response = await Uploads.PostAsync(client, studyId, participantId, bytes, "audio/wav", $"?fileName={LoseRegistrationReplies.BeforeDelivery}.wav");

        await ProblemAssert.IsProblem(response, HttpStatusCode.ServiceUnavailable, "coordination-unavailable");
        Assert.NotNull(response.Headers.RetryAfter);
        // Whether the grain got the call is unknown here: the blob stays, without a row, until the sweep finds it.
        var left = Assert.Single(await api.BlobNamesAsync($"{tenantId}/"));
        Assert.Empty((await client.GetFromJsonAsync<List<RecordingDto>>(Uploads.Path(studyId, participantId), Json.Options))!);
        var report = await (await api.Admin().PostAsync("/v1/admin/storage/sweep?remove=true", null)).Content.ReadFromJsonAsync<SweepReportDto>(Json.Options);
        Assert.Contains(left, report!.OrphanBlobs);
        Assert.Empty(await api.BlobNamesAsync($"{tenantId}/"));

        var retry = await Uploads.PostAsync(client, studyId, participantId, bytes, "audio/wav", "?fileName=retry.wav");
        Assert.Equal(HttpStatusCode.Created, retry.StatusCode);
    }
}
