using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using EmiPlatform.Api.Jobs;
using EmiPlatform.Api.Paging;
using EmiPlatform.Api.Recordings;
using EmiPlatform.Api.Tests.Infrastructure;
using EmiPlatform.Testing;
using EmiPlatform.Testing.Media;
using Npgsql;

namespace EmiPlatform.Api.Tests;

/// <summary>
/// Uploads that point elsewhere or declare too much, through the real API host, Azurite and the embedded worker: refused
/// with their problem before anything they name is fetched, nothing stored, nothing reaching the canary; and a referring
/// file slipped into storage behind the upload's back fails its job without harming the worker.
/// </summary>
public sealed class HostileMediaTests(ApiFactory api) : IClassFixture<ApiFactory>, IAsyncLifetime
{
    private ReferringCorpus _corpus = null!;

    public Task InitializeAsync()
    {
        _corpus = ReferringCorpus.Create("emi-hostile-");
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _corpus.DisposeAsync();

    [Fact]
    public async Task Every_referring_upload_is_refused_as_not_media_stores_nothing_and_reaches_nothing()
    {
        var (key, tenantId, studyId, participantId) = await Uploads.ParticipantAsync(api);
        var client = api.Client(key);
        Assert.True(_corpus.Inputs.Count > 70, $"only {_corpus.Inputs.Count} referring inputs");
        foreach (var input in _corpus.Inputs)
        {
            var response = await Uploads.PostAsync(client, studyId, participantId, input.Bytes, "application/octet-stream", $"?fileName={input.FileName}");
            var problem = await ProblemAssert.IsProblem(response, HttpStatusCode.UnsupportedMediaType, "not-media");
            Assert.Contains(input.FileName, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        Assert.Empty(await _corpus.Canary.SettledHitsAsync(TimeSpan.FromSeconds(10)));
        Assert.Empty(await api.BlobNamesAsync($"{tenantId}/"));
        Assert.Empty((await client.GetFromJsonAsync<List<RecordingDto>>(Uploads.Path(studyId, participantId), Json.Options))!);
    }

    [Fact]
    public async Task Every_upload_declaring_more_than_the_media_limits_is_a_422_and_stores_nothing()
    {
        var (key, tenantId, studyId, participantId) = await Uploads.ParticipantAsync(api);
        var client = api.Client(key);
        foreach (var (_, (fileName, declares, make)) in OutOfBoundsMedia.All)
        {
            var response = await Uploads.PostAsync(client, studyId, participantId, make(_corpus.Folder), "application/octet-stream", $"?fileName={fileName}");
            var problem = await ProblemAssert.IsProblem(response, (HttpStatusCode)422, "media-out-of-bounds");
            Assert.Contains(declares, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
        Assert.Empty(await api.BlobNamesAsync($"{tenantId}/"));
    }

    [Fact]
    public async Task Every_accepted_container_is_accepted_over_the_read_sas()
    {
        var (key, _, studyId, participantId) = await Uploads.ParticipantAsync(api);
        var client = api.Client(key);
        foreach (var demuxer in AcceptedFormatSamples.All.Keys)
        {
            var path = AcceptedFormatSamples.Make(demuxer, Path.Combine(_corpus.Folder, demuxer));
            var response = await Uploads.PostAsync(client, studyId, participantId, await File.ReadAllBytesAsync(path),
                "application/octet-stream", $"?fileName={Path.GetFileName(path)}&trial={demuxer}");
            Assert.True(response.StatusCode == HttpStatusCode.Created, $"{demuxer}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            var recording = (await response.Content.ReadFromJsonAsync<RecordingDto>(Json.Options))!;
            Assert.InRange(recording.DurationSeconds, 1.9, 2.2);
        }
    }

    [Fact]
    public async Task Megabytes_of_tags_are_accepted_unread_and_a_probe_answer_over_its_cap_is_a_422_storing_nothing()
    {
        var (key, tenantId, studyId, participantId) = await Uploads.ParticipantAsync(api);
        var client = api.Client(key);
        // 7 MB of container tags (42 MB of JSON had ffprobe been asked for every field), under the test host's 8 MB limit.
        var tagged = TaggedMedia.WithContainerTags(_corpus.Folder, "tagged.mkv", count: 7, bytes: 1 << 20);
        var accepted = await Uploads.PostAsync(client, studyId, participantId, await File.ReadAllBytesAsync(tagged), "video/x-matroska", "?fileName=tagged.mkv");
        Assert.Equal(HttpStatusCode.Created, accepted.StatusCode);
        Assert.InRange((await accepted.Content.ReadFromJsonAsync<RecordingDto>(Json.Options))!.DurationSeconds, 1.9, 2.2);

        var bomb = TaggedMedia.WithHugeRotateTag(_corpus.Folder, "rotate-bomb.mkv", bytes: 1 << 20);
        var refused = await Uploads.PostAsync(client, studyId, participantId, await File.ReadAllBytesAsync(bomb), "video/x-matroska", "?fileName=rotate-bomb.mkv");
        var problem = await ProblemAssert.IsProblem(refused, (HttpStatusCode)422, "media-out-of-bounds");
        Assert.Contains("rotate-bomb.mkv", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("Media:MaxProbeOutputBytes", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        // The accepted recording's blob, and nothing of the refused one (the accepted one's cached features aside).
        Assert.Single(await api.BlobNamesAsync($"{tenantId}/"));
    }

    [Theory]
    [InlineData("hls-http", true)]
    [InlineData("hls-file", false)]
    [InlineData("ffconcat-http", true)]
    [InlineData("dash-http", false)]
    [InlineData("sdp-rtp", true)]
    public async Task A_referring_file_swapped_into_storage_fails_its_job_cleanly_and_the_worker_scores_on(string name, bool keepStoredProbe)
    {
        var (key, tenantId, studyId, participantId) = await Uploads.ParticipantAsync(api);
        var client = api.Client(key);
        var created = await Uploads.PostAsync(client, studyId, participantId, await TestMedia.DistinctWavAsync(900), "audio/wav", "?fileName=tone.wav");
        var recording = (await created.Content.ReadFromJsonAsync<RecordingDto>(Json.Options))!;
        Assert.Equal("succeeded", (await WebhookDeliveryTests.WaitForJobAsync(client, studyId)).GetProperty("state").GetString());

        // Someone with storage access swaps the bytes and makes the row agree, so only the decoding can refuse them.
        var input = _corpus.Inputs.Single(i => i.Name == name);
        await api.Blobs.UploadAsync(RecordingBlobs.Name(tenantId, studyId, participantId, recording.Id), new MemoryStream(input.Bytes));
        await using (var connection = new NpgsqlConnection(api.Database.Owner))
        {
            await connection.OpenAsync();
            await using var update = new NpgsqlCommand(
                $"UPDATE recordings SET sha256 = @sha{(keepStoredProbe ? "" : ", media = NULL")} WHERE id = @id", connection);
            update.Parameters.AddWithValue("sha", Convert.ToHexStringLower(SHA256.HashData(input.Bytes)));
            update.Parameters.AddWithValue("id", recording.Id);
            Assert.Equal(1, await update.ExecuteNonQueryAsync());
        }
        var rescore = await client.PostAsJsonAsync($"/v1/recordings/{recording.Id}/rescore", new { });
        Assert.Equal(HttpStatusCode.Accepted, rescore.StatusCode);
        var jobId = (await rescore.Content.ReadFromJsonAsync<JobDto>(Json.Options))!.Id;

        var job = await WaitForErrorAsync(client, jobId);
        Assert.True(job.Error!.Contains(keepStoredProbe ? "could not decode" : "not a recording", StringComparison.Ordinal), job.Error);
        Assert.Empty(_corpus.Canary.Hits);

        // The worker is alive and scores the next recording.
        await Uploads.PostAsync(client, studyId, participantId, await TestMedia.DistinctWavAsync(901), "audio/wav", "?fileName=next.wav&trial=2");
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (true)
        {
            var jobs = (await client.GetFromJsonAsync<Page<JobDto>>($"/v1/studies/{studyId}/jobs?pageSize=100", Json.Options))!;
            if (jobs.Items.Any(j => j.Id != jobId && j.RecordingId != recording.Id && j.State == "succeeded"))
            {
                break;
            }
            Assert.True(DateTime.UtcNow < deadline, "the worker scored nothing after the hostile job");
            await Task.Delay(250);
        }
        Assert.Empty(_corpus.Canary.Hits);
    }

    private static async Task<JobDto> WaitForErrorAsync(HttpClient client, Guid jobId)
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (true)
        {
            var job = (await client.GetFromJsonAsync<JobDto>($"/v1/jobs/{jobId}", Json.Options))!;
            if (job.Error is not null || job.State is "succeeded" or "failed" or "cancelled")
            {
                Assert.NotEqual("succeeded", job.State);
                return job;
            }
            Assert.True(DateTime.UtcNow < deadline, "the hostile job's first attempt did not end within 2 minutes");
            await Task.Delay(250);
        }
    }
}
