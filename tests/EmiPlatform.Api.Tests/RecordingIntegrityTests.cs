using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using EmiPlatform.Api.Jobs;
using EmiPlatform.Api.Recordings;
using EmiPlatform.Api.Storage;
using EmiPlatform.Api.Tests.Infrastructure;
using EmiPlatform.Storage;
using EmiPlatform.Testing;
using Npgsql;

namespace EmiPlatform.Api.Tests;

/// <summary>
/// The bytes a recording's row describes are the bytes that get scored: a direct upload's write SAS cannot reach the
/// registered recording, and the worker refuses to score a blob that was changed behind the platform's back.
/// </summary>
public sealed class RecordingIntegrityTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task A_direct_upload_url_is_short_lived_and_useless_once_the_upload_is_completed()
    {
        var (key, tenantId, studyId, participantId) = await Uploads.ParticipantAsync(api);
        var client = api.Client(key);
        var bytes = await TestMedia.WavAsync();
        var before = DateTimeOffset.UtcNow;
        var upload = (await (await client.PostAsync(Uploads.Path(studyId, participantId) + "/uploads", null)).Content.ReadFromJsonAsync<DirectUploadDto>(Json.Options))!;
        Assert.InRange(upload.ExpiresAt - before, TimeSpan.FromMinutes(14), TimeSpan.FromMinutes(16));
        using var storage = new HttpClient();
        Assert.Equal(HttpStatusCode.Created, (await PutAsync(storage, upload.UploadUrl, bytes)).StatusCode);
        var completed = await client.PostAsJsonAsync(upload.CompleteUrl, new { fileName = "tone.wav" });
        Assert.Equal(HttpStatusCode.Created, completed.StatusCode);
        var recording = (await completed.Content.ReadFromJsonAsync<RecordingDto>(Json.Options))!;
        var finalName = RecordingBlobs.Name(tenantId, studyId, participantId, recording.Id);
        Assert.Equal([finalName], await api.BlobNamesAsync($"{tenantId}/"));
        var properties = (await api.Blobs.Container.GetBlobClient(finalName).GetPropertiesAsync()).Value;
        Assert.Equal(recording.Sha256, BlobStore.Sha256Of(properties.Metadata));

        // The same URL again, and the same signature moved onto the recording's own name: neither touches the recording.
        var rewrite = RandomNumberGenerator.GetBytes(bytes.Length);
        await PutAsync(storage, upload.UploadUrl, rewrite);
        var forged = new Uri(upload.UploadUrl.AbsoluteUri.Replace(RecordingBlobs.StagingSuffix + "?", "?", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.Forbidden, (await PutAsync(storage, forged, rewrite)).StatusCode);
        var stored = (await api.Blobs.Container.GetBlobClient(finalName).DownloadContentAsync()).Value.Content.ToArray();
        Assert.Equal(bytes, stored);
        Assert.Equal(properties.ETag, (await api.Blobs.Container.GetBlobClient(finalName).GetPropertiesAsync()).Value.ETag);
        var again = await client.GetFromJsonAsync<RecordingDto>($"/v1/recordings/{recording.Id}", Json.Options);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), again!.Sha256);

        // What the late write left is a blob without a row: the sweep reports it and removes it.
        var stray = RecordingBlobs.StagingName(tenantId, studyId, participantId, recording.Id);
        var report = await (await api.Admin().PostAsync("/v1/admin/storage/sweep?remove=true", null)).Content.ReadFromJsonAsync<SweepReportDto>(Json.Options);
        Assert.Contains(stray, report!.OrphanBlobs);
        Assert.Equal([finalName], await api.BlobNamesAsync($"{tenantId}/"));
    }

    [Fact]
    public async Task A_complete_that_stopped_after_promoting_the_upload_can_be_repeated()
    {
        var (key, tenantId, studyId, participantId) = await Uploads.ParticipantAsync(api);
        var client = api.Client(key);
        var bytes = await TestMedia.DistinctWavAsync(600);
        var upload = (await (await client.PostAsync(Uploads.Path(studyId, participantId) + "/uploads", null)).Content.ReadFromJsonAsync<DirectUploadDto>(Json.Options))!;
        using var storage = new HttpClient();
        Assert.Equal(HttpStatusCode.Created, (await PutAsync(storage, upload.UploadUrl, bytes)).StatusCode);
        // What a complete leaves when its client hangs up between the promotion and the row: the recording's blob, no staging blob.
        var staging = api.Blobs.Container.GetBlobClient(RecordingBlobs.StagingName(tenantId, studyId, participantId, upload.RecordingId));
        var final = api.Blobs.Container.GetBlobClient(RecordingBlobs.Name(tenantId, studyId, participantId, upload.RecordingId));
        await (await final.StartCopyFromUriAsync(await api.Blobs.GetSasUriAsync(staging.Name, Azure.Storage.Sas.BlobSasPermissions.Read, TimeSpan.FromMinutes(5)))).WaitForCompletionAsync();
        await staging.DeleteAsync();

        var completed = await client.PostAsJsonAsync(upload.CompleteUrl, new { fileName = "tone.wav" });

        Assert.Equal(HttpStatusCode.Created, completed.StatusCode);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), (await completed.Content.ReadFromJsonAsync<RecordingDto>(Json.Options))!.Sha256);
        Assert.Equal([final.Name], await api.BlobNamesAsync($"{tenantId}/"));
    }

    [Fact]
    public async Task A_recording_replaced_behind_the_platforms_back_fails_scoring_with_recording_changed_and_is_not_retried()
    {
        var (key, tenantId, studyId, participantId) = await Uploads.ParticipantAsync(api);
        var client = api.Client(key);
        var created = await Uploads.PostAsync(client, studyId, participantId, await TestMedia.DistinctWavAsync(500), "audio/wav", "?fileName=tone.wav");
        var recording = (await created.Content.ReadFromJsonAsync<RecordingDto>(Json.Options))!;
        var first = await WebhookDeliveryTests.WaitForJobAsync(client, studyId);
        Assert.Equal("succeeded", first.GetProperty("state").GetString());
        var windows = await ScalarAsync<long>("SELECT count(*) FROM timeline_windows WHERE recording_id = @id", recording.Id);
        Assert.True(windows > 0);

        // Valid media of its own, so only the hash can tell: the pipeline would score it without complaint.
        var blobName = RecordingBlobs.Name(tenantId, studyId, participantId, recording.Id);
        await api.Blobs.UploadAsync(blobName, new MemoryStream(await TestMedia.DistinctWavAsync(501)));
        var rescore = await client.PostAsJsonAsync($"/v1/recordings/{recording.Id}/rescore", new { });
        Assert.Equal(HttpStatusCode.Accepted, rescore.StatusCode);
        var jobId = (await rescore.Content.ReadFromJsonAsync<JobDto>(Json.Options))!.Id;

        var job = await WaitForJobAsync(client, jobId);
        Assert.Equal("failed", job.State);
        Assert.Equal(1, job.Attempts);
        Assert.True(job.MaxAttempts > 1);
        Assert.StartsWith("recording-changed:", job.Error, StringComparison.Ordinal);
        Assert.Contains(recording.Sha256, job.Error, StringComparison.Ordinal);
        // Nothing of the other bytes was written: the first scoring's timeline stands as it was.
        Assert.Equal(windows, await ScalarAsync<long>("SELECT count(*) FROM timeline_windows WHERE recording_id = @id", recording.Id));
    }

    private static async Task<HttpResponseMessage> PutAsync(HttpClient storage, Uri url, byte[] bytes)
    {
        var put = new HttpRequestMessage(HttpMethod.Put, url) { Content = new ByteArrayContent(bytes) };
        put.Headers.Add("x-ms-blob-type", "BlockBlob");
        return await storage.SendAsync(put);
    }

    private static async Task<JobDto> WaitForJobAsync(HttpClient client, Guid jobId)
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (true)
        {
            var job = (await client.GetFromJsonAsync<JobDto>($"/v1/jobs/{jobId}", Json.Options))!;
            if (job.State is "succeeded" or "failed" or "cancelled")
            {
                return job;
            }
            Assert.True(DateTime.UtcNow < deadline, "the re-score did not finish within 2 minutes");
            await Task.Delay(250);
        }
    }

    private async Task<T> ScalarAsync<T>(string sql, Guid id)
    {
        await using var connection = new NpgsqlConnection(api.Database.Admin);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("id", id);
        return (T)(await command.ExecuteScalarAsync())!;
    }
}
