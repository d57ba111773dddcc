using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using EmiPlatform.Abstractions.Tenants;
using EmiPlatform.Api.Me;
using EmiPlatform.Api.Recordings;
using EmiPlatform.Api.Tenants;
using EmiPlatform.Api.Tests.Infrastructure;
using EmiPlatform.Media;
using EmiPlatform.Testing;
using EmiPlatform.Testing.Media;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace EmiPlatform.Api.Tests;

public sealed class RecordingUploadTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task A_video_upload_is_stored_probed_listed_and_idempotent()
    {
        var (key, tenantId, studyId, participantId) = await Uploads.ParticipantAsync(api);
        var bytes = await TestMedia.VideoAsync();
        var client = api.Client(key);

        var response = await Uploads.PostAsync(client, studyId, participantId, bytes);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var recording = (await response.Content.ReadFromJsonAsync<RecordingDto>(Json.Options))!;
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), recording.Sha256);
        Assert.Equal(bytes.Length, recording.SizeBytes);
        Assert.True(recording.HasAudio && recording.HasVideo);
        Assert.Equal(("h264", "aac", 160, 16000), (recording.VideoCodec, recording.AudioCodec, recording.Width!.Value, recording.SampleRate!.Value));
        Assert.InRange(recording.DurationSeconds, 2.9, 3.2);
        Assert.Equal(("joy-01", "1", "clip.mp4"), (recording.Stimulus, recording.Trial, recording.OriginalFileName));

        var listed = await client.GetFromJsonAsync<List<RecordingDto>>(Uploads.Path(studyId, participantId), Json.Options);
        Assert.Equal(recording.Id, Assert.Single(listed!).Id);
        var stored = await api.BlobNamesAsync($"{tenantId}/");
        Assert.Single(stored);
        Assert.Equal(bytes, (await api.Blobs.Container.GetBlobClient(stored[0]).DownloadContentAsync()).Value.Content.ToArray());

        var again = await Uploads.PostAsync(client, studyId, participantId, bytes, query: "?fileName=copy.mp4");
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(recording.Id, (await again.Content.ReadFromJsonAsync<RecordingDto>(Json.Options))!.Id);
        Assert.Single(await api.BlobNamesAsync($"{tenantId}/"));
        var me = await client.GetFromJsonAsync<MeDto>("/v1/me", Json.Options);
        Assert.Equal((bytes.Length, 1), (me!.Tenant!.UsedStorageBytes, me.Tenant.UsedRecordings));
    }

    [Fact]
    public async Task The_upload_probe_is_kept_for_the_worker_without_the_signed_url()
    {
        var (key, _, studyId, participantId) = await Uploads.ParticipantAsync(api);
        var bytes = await TestMedia.VideoAsync();
        var response = await Uploads.PostAsync(api.Client(key), studyId, participantId, bytes);
        var recording = (await response.Content.ReadFromJsonAsync<RecordingDto>(Json.Options))!;

        await using var connection = new NpgsqlConnection(api.Database.Admin);
        await connection.OpenAsync();
        await using var query = new NpgsqlCommand("SELECT media::text FROM recordings WHERE id = @id", connection);
        query.Parameters.AddWithValue("id", recording.Id);
        var stored = (string)(await query.ExecuteScalarAsync())!;
        Assert.DoesNotContain("sig=", stored, StringComparison.Ordinal);
        Assert.DoesNotContain("http", stored, StringComparison.Ordinal);

        // What the worker reads back equals what ffprobe says about its own downloaded copy.
        var local = Path.Combine(Path.GetTempPath(), $"emi-probe-{Guid.NewGuid():N}.mp4");
        await File.WriteAllBytesAsync(local, bytes);
        try
        {
            var probed = await MediaProbe.ProbeAsync(local, MediaTools.FromEnvironment(), CancellationToken.None);
            Assert.Equal(probed, StoredMediaInfo.Deserialize(stored, local));
        }
        finally
        {
            File.Delete(local);
        }
    }

    [Fact]
    public async Task A_lab_mkv_whose_audio_ends_before_its_video_is_accepted_and_scored()
    {
        var (key, _, studyId, participantId) = await Uploads.ParticipantAsync(api);
        var client = api.Client(key);
        var folder = Directory.CreateTempSubdirectory("emi-lab-mkv-");
        try
        {
            var bytes = await File.ReadAllBytesAsync(LabMedia.AudioEndsEarlyMkv(folder.FullName));
            var response = await Uploads.PostAsync(client, studyId, participantId, bytes, "video/x-matroska", "?fileName=obs-session.mkv");
            Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
            var recording = (await response.Content.ReadFromJsonAsync<RecordingDto>(Json.Options))!;
            Assert.InRange(recording.DurationSeconds, LabMedia.VideoSeconds - 0.1, LabMedia.VideoSeconds + 0.1);

            var job = await WebhookDeliveryTests.WaitForJobAsync(client, studyId);
            Assert.True(job.GetProperty("state").GetString() == "succeeded", job.GetRawText());
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    public static TheoryData<string, string, HttpStatusCode, string> BadUploads => new()
    {
        { "empty", "video/mp4", (HttpStatusCode)422, "empty-recording" },
        { "random bytes named .mp4", "video/mp4", HttpStatusCode.UnsupportedMediaType, "not-media" },
        { "a text file", "text/plain", HttpStatusCode.UnsupportedMediaType, "not-media" },
        { "truncated video", "video/mp4", (HttpStatusCode)422, "corrupt-media" },
        { "over the size limit", "video/mp4", HttpStatusCode.RequestEntityTooLarge, "payload-too-large" },
    };

    [Theory]
    [MemberData(nameof(BadUploads))]
    public async Task Bad_uploads_get_a_problem_and_leave_no_blob_and_no_row(string kind, string contentType, HttpStatusCode status, string type)
    {
        var (key, tenantId, studyId, participantId) = await Uploads.ParticipantAsync(api);
        var video = await TestMedia.VideoAsync();
        var bytes = kind switch
        {
            "empty" => [],
            "random bytes named .mp4" => RandomNumberGenerator.GetBytes(300_000),
            "a text file" => "participant P01 smiled at 00:03\n"u8.ToArray(),
            "truncated video" => video[..(video.Length * 6 / 10)],
            _ => RandomNumberGenerator.GetBytes((int)ApiFactory.MaxUploadBytes + 1),
        };

        var response = await Uploads.PostAsync(api.Client(key), studyId, participantId, bytes, contentType);

        await ProblemAssert.IsProblem(response, status, type);
        Assert.Empty(await api.BlobNamesAsync($"{tenantId}/"));
        Assert.Equal(0L, await CountRecordingsAsync(tenantId));
    }

    [Fact]
    public async Task An_over_limit_body_without_content_length_is_refused_while_streaming()
    {
        var (key, tenantId, studyId, participantId) = await Uploads.ParticipantAsync(api);
        var content = new StreamContent(new ChunkedRandomStream(ApiFactory.MaxUploadBytes + 512 * 1024));
        content.Headers.ContentType = new("video/mp4");
        var request = new HttpRequestMessage(HttpMethod.Post, Uploads.Path(studyId, participantId)) { Content = content };
        request.Headers.TransferEncodingChunked = true;

        var response = await api.Client(key).SendAsync(request);

        await ProblemAssert.IsProblem(response, HttpStatusCode.RequestEntityTooLarge, "payload-too-large");
        Assert.Empty(await api.BlobNamesAsync($"{tenantId}/"));
        Assert.Equal(0L, await CountRecordingsAsync(tenantId));
    }

    [Fact]
    public async Task A_hostile_file_name_is_stored_sanitised()
    {
        var (key, _, studyId, participantId) = await Uploads.ParticipantAsync(api);
        var hostile = "../../etc/" + Uri.EscapeDataString("pa\u0001ss\u001b[2Jwd\r\n") + new string('x', 4096) + ".wav";
        var response = await Uploads.PostAsync(api.Client(key), studyId, participantId, await TestMedia.WavAsync(), "audio/wav", "?fileName=" + hostile);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var name = (await response.Content.ReadFromJsonAsync<RecordingDto>(Json.Options))!.OriginalFileName;
        Assert.DoesNotContain("..", name, StringComparison.Ordinal);
        Assert.DoesNotContain('/', name);
        Assert.DoesNotContain(name, char.IsControl);
        Assert.StartsWith("pass[2Jwd", name, StringComparison.Ordinal);
        Assert.EndsWith(".wav", name, StringComparison.Ordinal);
        Assert.Equal(255, name.Length);
    }

    [Fact]
    public async Task Fifty_concurrent_uploads_all_land_once()
    {
        var (key, tenantId, studyId, participantId) = await Uploads.ParticipantAsync(api);
        var client = api.Client(key);
        var files = await Task.WhenAll(Enumerable.Range(0, 50).Select(TestMedia.DistinctWavAsync));

        var responses = await Task.WhenAll(files.Select(f => Uploads.PostAsync(client, studyId, participantId, f, "audio/wav")));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        Assert.Equal(50L, await CountRecordingsAsync(tenantId));
        Assert.Equal(50, (await api.BlobNamesAsync($"{tenantId}/")).Count);
    }

    [Fact]
    public async Task Parallel_uploads_racing_the_last_of_the_quota_never_overshoot()
    {
        var (key, tenantId, studyId, participantId) = await Uploads.ParticipantAsync(api);
        var files = await Task.WhenAll(Enumerable.Range(100, 12).Select(TestMedia.DistinctWavAsync));
        var size = files[0].Length;
        var tenant = await api.Admin().GetFromJsonAsync<TenantDto>($"/v1/admin/tenants/{tenantId}", Json.Options);
        (await api.Admin().PutAsJsonAsync($"/v1/admin/tenants/{tenantId}", new { name = tenant!.Name, maxStorageBytes = 5L * size + size / 2 })).EnsureSuccessStatusCode();
        var client = api.Client(key);

        var responses = await Task.WhenAll(files.Select(f => Uploads.PostAsync(client, studyId, participantId, f, "audio/wav")));

        Assert.Equal(5, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        foreach (var refused in responses.Where(r => r.StatusCode != HttpStatusCode.Created))
        {
            await ProblemAssert.IsProblem(refused, HttpStatusCode.RequestEntityTooLarge, "quota-exceeded");
        }
        var after = await api.Admin().GetFromJsonAsync<TenantDto>($"/v1/admin/tenants/{tenantId}", Json.Options);
        Assert.Equal((5L * size, 5), (after!.UsedStorageBytes, after.UsedRecordings));
        Assert.Equal(5, (await api.BlobNamesAsync($"{tenantId}/")).Count);
    }

    [Fact]
    public async Task A_client_that_disconnects_mid_upload_leaves_no_row_and_no_committed_blob()
    {
        var (key, tenantId, studyId, participantId) = await Uploads.ParticipantAsync(api);
        var tenant = api.Services.GetRequiredService<IGrainFactory>().GetGrain<ITenantGrain>(tenantId);
        var drop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var content = new DroppingContent(2 * 1024 * 1024, drop.Task);
        content.Headers.ContentType = new("video/mp4");
        var request = new HttpRequestMessage(HttpMethod.Post, Uploads.Path(studyId, participantId)) { Content = content };
        request.Headers.TransferEncodingChunked = true;
        // Over a socket to Kestrel, so the server is already storing the body when the client goes away.
        using var sockets = new HttpClient { BaseAddress = api.Url };
        sockets.DefaultRequestHeaders.Authorization = new("Bearer", key);

        var sending = sockets.SendAsync(request);
        await UntilAsync(async () => await tenant.UploadsInProgressAsync() == 1, "the upload to take its slot");
        drop.SetException(new IOException("simulated client failure mid-upload"));
        await Assert.ThrowsAnyAsync<Exception>(() => sending);

        // The server notices the aborted body on its own schedule; it gives the upload's slot back once it is done with
        // the request, and then nothing may be there.
        await UntilAsync(async () => await tenant.UploadsInProgressAsync() == 0, "the server to end the aborted upload");
        Assert.Empty(await api.BlobNamesAsync($"{tenantId}/"));
        Assert.Equal(0L, await CountRecordingsAsync(tenantId));
    }

    [Fact]
    public async Task Another_tenants_recording_is_404_and_its_participant_cannot_receive_uploads()
    {
        var (keyA, _, studyId, participantId) = await Uploads.ParticipantAsync(api);
        var (_, keyB) = await api.CreateTenantAsync("Lab B");
        var created = await Uploads.PostAsync(api.Client(keyA), studyId, participantId, await TestMedia.WavAsync(), "audio/wav");
        var recording = (await created.Content.ReadFromJsonAsync<RecordingDto>(Json.Options))!;
        var b = api.Client(keyB);

        await ProblemAssert.IsProblem(await b.GetAsync($"/v1/recordings/{recording.Id}"), HttpStatusCode.NotFound, "not-found");
        await ProblemAssert.IsProblem(await b.GetAsync($"/v1/recordings/{recording.Id}/content"), HttpStatusCode.NotFound, "not-found");
        await ProblemAssert.IsProblem(await b.DeleteAsync($"/v1/recordings/{recording.Id}"), HttpStatusCode.NotFound, "not-found");
        await ProblemAssert.IsProblem(await Uploads.PostAsync(b, studyId, participantId, await TestMedia.DistinctWavAsync(7), "audio/wav"), HttpStatusCode.NotFound, "not-found");
        Assert.Equal(HttpStatusCode.OK, (await api.Client(keyA).GetAsync($"/v1/recordings/{recording.Id}")).StatusCode);
    }

    [Fact]
    public async Task An_analyst_cannot_upload()
    {
        var (key, tenantId, studyId, participantId) = await Uploads.ParticipantAsync(api);
        var analyst = await api.CreateKeyAsync(tenantId, "analyst");
        await ProblemAssert.IsProblem(await Uploads.PostAsync(api.Client(analyst), studyId, participantId, await TestMedia.WavAsync(), "audio/wav"),
            HttpStatusCode.Forbidden, "forbidden");
        Assert.Empty(await api.BlobNamesAsync($"{tenantId}/"));
    }

    private static async Task UntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"not within 30 s: {what}");
            await Task.Delay(20);
        }
    }

    /// <summary>A chunked body of random bytes that sends <c>sent</c> of them, then dies when <c>drop</c> fails: a client that goes away mid-upload.</summary>
    private sealed class DroppingContent(long sent, Task drop) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            var chunk = new byte[64 * 1024];
            for (long written = 0; written < sent; written += chunk.Length)
            {
                Random.Shared.NextBytes(chunk);
                await stream.WriteAsync(chunk);
            }
            await stream.FlushAsync();
            await drop;
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }

    private async Task<long> CountRecordingsAsync(Guid tenantId)
    {
        await using var connection = new NpgsqlConnection(api.Database.Admin);
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand("SELECT count(*) FROM recordings WHERE tenant_id = @t", connection);
        count.Parameters.AddWithValue("t", tenantId);
        return (long)(await count.ExecuteScalarAsync())!;
    }
}
