using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using EmiPlatform.Api.Participants;
using EmiPlatform.Api.Recordings;
using EmiPlatform.Api.Storage;
using EmiPlatform.Api.Tenants;
using EmiPlatform.Api.Tests.Infrastructure;
using EmiPlatform.Testing;
using Npgsql;

namespace EmiPlatform.Api.Tests;

/// <summary>Direct uploads through a write SAS, downloads, erasure at every level, and the storage sweep.</summary>
public sealed class RecordingLifecycleTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task A_direct_upload_through_a_write_sas_round_trips()
    {
        var (key, _, studyId, participantId) = await Uploads.ParticipantAsync(api);
        var client = api.Client(key);
        var bytes = await TestMedia.VideoAsync();

        var start = await client.PostAsync(Uploads.Path(studyId, participantId) + "/uploads", null);
        var upload = (await start.Content.ReadFromJsonAsync<DirectUploadDto>(Json.Options))!;
        await ProblemAssert.IsProblem(await client.PostAsJsonAsync(upload.CompleteUrl, new { fileName = "big.mp4" }), HttpStatusCode.Conflict, "upload-incomplete");

        using var storage = new HttpClient();
        var put = new HttpRequestMessage(HttpMethod.Put, upload.UploadUrl) { Content = new ByteArrayContent(bytes) };
        put.Headers.Add("x-ms-blob-type", "BlockBlob");
        put.Content.Headers.ContentType = new("video/mp4");
        Assert.Equal(HttpStatusCode.Created, (await storage.SendAsync(put)).StatusCode);

        var completed = await client.PostAsJsonAsync(upload.CompleteUrl, new { fileName = "big.mp4", stimulus = "amusement-03", trial = "2" });
        Assert.Equal(HttpStatusCode.Created, completed.StatusCode);
        var recording = (await completed.Content.ReadFromJsonAsync<RecordingDto>(Json.Options))!;
        Assert.Equal(upload.RecordingId, recording.Id);
        Assert.Equal((Convert.ToHexStringLower(SHA256.HashData(bytes)), "video/mp4", "amusement-03"), (recording.Sha256, recording.ContentType, recording.Stimulus));
        Assert.True(recording.HasVideo);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync(upload.CompleteUrl, new { fileName = "big.mp4" })).StatusCode);

        // The content link is a short-lived read SAS straight to storage.
        var noRedirect = api.Client(key);
        var download = await new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = noRedirect.BaseAddress, DefaultRequestHeaders = { Authorization = noRedirect.DefaultRequestHeaders.Authorization } }
            .GetAsync($"/v1/recordings/{recording.Id}/content");
        Assert.Equal(HttpStatusCode.Redirect, download.StatusCode);
        Assert.Equal(bytes, await storage.GetByteArrayAsync(download.Headers.Location));
    }

    [Fact]
    public async Task A_direct_upload_of_non_media_is_refused_and_its_blob_removed()
    {
        var (key, tenantId, studyId, participantId) = await Uploads.ParticipantAsync(api);
        var client = api.Client(key);
        var upload = (await (await client.PostAsync(Uploads.Path(studyId, participantId) + "/uploads", null)).Content.ReadFromJsonAsync<DirectUploadDto>(Json.Options))!;
        using var storage = new HttpClient();
        var put = new HttpRequestMessage(HttpMethod.Put, upload.UploadUrl) { Content = new ByteArrayContent(RandomNumberGenerator.GetBytes(50_000)) };
        put.Headers.Add("x-ms-blob-type", "BlockBlob");
        (await storage.SendAsync(put)).EnsureSuccessStatusCode();

        await ProblemAssert.IsProblem(await client.PostAsJsonAsync(upload.CompleteUrl, new { fileName = "x.mp4" }), HttpStatusCode.UnsupportedMediaType, "not-media");
        Assert.Empty(await api.BlobNamesAsync($"{tenantId}/"));
    }

    [Fact]
    public async Task Deleting_a_recording_participant_study_or_tenant_removes_its_blobs_and_rows()
    {
        var (key, tenantId, studyId, participantId) = await Uploads.ParticipantAsync(api);
        var client = api.Client(key);
        async Task<RecordingDto> UploadAsync(Guid study, Guid participant, int n) =>
            (await (await Uploads.PostAsync(client, study, participant, await TestMedia.DistinctWavAsync(n), "audio/wav")).Content.ReadFromJsonAsync<RecordingDto>(Json.Options))!;
        async Task<Guid> ParticipantAsync(Guid study, string code) =>
            (await (await client.PostAsJsonAsync($"/v1/studies/{study}/participants", new { code })).Content.ReadFromJsonAsync<ParticipantDto>(Json.Options))!.Id;

        var first = await UploadAsync(studyId, participantId, 300);
        await UploadAsync(studyId, participantId, 301);
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/v1/recordings/{first.Id}")).StatusCode);
        Assert.Single(await api.BlobNamesAsync($"{tenantId}/"));
        Assert.Equal((1, (long)(await TestMedia.WavAsync()).Length), await UsageAsync(tenantId));

        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/v1/studies/{studyId}/participants/{participantId}")).StatusCode);
        Assert.Empty(await api.BlobNamesAsync($"{tenantId}/"));

        var other = await ParticipantAsync(studyId, "P02");
        await UploadAsync(studyId, other, 302);
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/v1/studies/{studyId}")).StatusCode);
        Assert.Empty(await api.BlobNamesAsync($"{tenantId}/"));
        Assert.Equal((0, 0L), await UsageAsync(tenantId));

        var study = await api.CreateStudyAsync(key, "second");
        await UploadAsync(study.Id, await ParticipantAsync(study.Id, "P03"), 303);
        Assert.Equal(HttpStatusCode.NoContent, (await api.Admin().DeleteAsync($"/v1/admin/tenants/{tenantId}")).StatusCode);
        Assert.Empty(await api.BlobNamesAsync($"{tenantId}/"));
        await using var connection = new NpgsqlConnection(api.Database.Admin);
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand("SELECT count(*) FROM recordings WHERE tenant_id = @t", connection);
        count.Parameters.AddWithValue("t", tenantId);
        Assert.Equal(0L, await count.ExecuteScalarAsync());
    }

    [Fact]
    public async Task The_sweep_reports_and_removes_blobs_without_rows_and_rows_without_blobs()
    {
        var (key, tenantId, studyId, participantId) = await Uploads.ParticipantAsync(api);
        var kept = (await (await Uploads.PostAsync(api.Client(key), studyId, participantId, await TestMedia.DistinctWavAsync(400), "audio/wav"))
            .Content.ReadFromJsonAsync<RecordingDto>(Json.Options))!;
        var lost = (await (await Uploads.PostAsync(api.Client(key), studyId, participantId, await TestMedia.DistinctWavAsync(401), "audio/wav"))
            .Content.ReadFromJsonAsync<RecordingDto>(Json.Options))!;
        var orphan = $"{tenantId}/{studyId}/{participantId}/{Guid.NewGuid()}";
        await api.Blobs.UploadAsync(orphan, new MemoryStream([1, 2, 3]));
        var lostBlob = (await api.BlobNamesAsync($"{tenantId}/")).Single(n => n.EndsWith(lost.Id.ToString(), StringComparison.Ordinal));
        await api.Blobs.Container.GetBlobClient(lostBlob).DeleteAsync();

        var report = await (await api.Admin().PostAsync("/v1/admin/storage/sweep", null)).Content.ReadFromJsonAsync<SweepReportDto>(Json.Options);
        Assert.Equal([orphan], report!.OrphanBlobs);
        Assert.Equal([lost.Id], report.RowsWithoutBlob);
        Assert.False(report.Removed);
        await ProblemAssert.IsProblem(await api.Client(key).PostAsync("/v1/admin/storage/sweep", null), HttpStatusCode.Forbidden, "forbidden");

        var removed = await (await api.Admin().PostAsync("/v1/admin/storage/sweep?remove=true", null)).Content.ReadFromJsonAsync<SweepReportDto>(Json.Options);
        Assert.True(removed!.Removed);
        var after = await (await api.Admin().PostAsync("/v1/admin/storage/sweep", null)).Content.ReadFromJsonAsync<SweepReportDto>(Json.Options);
        Assert.Empty(after!.OrphanBlobs);
        Assert.Empty(after.RowsWithoutBlob);
        Assert.Equal(HttpStatusCode.OK, (await api.Client(key).GetAsync($"/v1/recordings/{kept.Id}")).StatusCode);
        await ProblemAssert.IsProblem(await api.Client(key).GetAsync($"/v1/recordings/{lost.Id}"), HttpStatusCode.NotFound, "not-found");
    }

    private async Task<(int Recordings, long Bytes)> UsageAsync(Guid tenantId)
    {
        var tenant = await api.Admin().GetFromJsonAsync<TenantDto>($"/v1/admin/tenants/{tenantId}", Json.Options);
        return (tenant!.UsedRecordings, tenant.UsedStorageBytes);
    }
}
