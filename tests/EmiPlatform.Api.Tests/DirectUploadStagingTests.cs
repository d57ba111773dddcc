using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EmiPlatform.Api.Recordings;
using EmiPlatform.Api.Tests.Infrastructure;
using EmiPlatform.Harness;
using EmiPlatform.Testing;

namespace EmiPlatform.Api.Tests;

/// <summary>
/// A host whose tenants may have <see cref="MaxOpen"/> direct uploads open, sweeping expired uploads every 200 ms and
/// the whole container every 500 ms, with the production 2 h grace for blobs other than staging ones (the test
/// factory's default of none would take a blob being promoted for an orphan).
/// </summary>
public sealed class StagingLimitedApi : IAsyncLifetime
{
    public const int MaxOpen = 3;

    public ApiFactory Api { get; } = new()
    {
        Settings =
        {
            ["Recordings:MaxOpenDirectUploads"] = $"{MaxOpen}",
            ["Recordings:StagingSweepInterval"] = "00:00:00.200",
            ["Recordings:SweepInterval"] = "00:00:00.500",
            ["Recordings:SweepGracePeriod"] = "02:00:00",
        },
    };

    public Task InitializeAsync() => Api.InitializeAsync();

    public async Task DisposeAsync() => await Api.DisposeAsync();
}

/// <summary>
/// Direct-upload staging is metered (issue 23, bulkheads): a tenant's open uploads are capped, each reserves its
/// declared size (else the largest recording accepted) of the storage quota until it is completed or expires, and the
/// sweep deletes a staging blob as soon as no open upload wants it instead of after the grace period.
/// </summary>
public sealed class DirectUploadStagingTests(StagingLimitedApi host) : IClassFixture<StagingLimitedApi>
{
    private static readonly object Body = new { fileName = "clip.mp4", contentType = "video/mp4" };

    private ApiFactory Api => host.Api;

    [Fact]
    public async Task Open_direct_uploads_are_capped_per_tenant_and_a_complete_or_an_expiry_frees_a_slot()
    {
        var (key, _, studyId, participantId) = await Uploads.ParticipantAsync(Api);
        var client = Api.Client(key);
        var open = new List<DirectUploadDto>();
        for (var i = 0; i < StagingLimitedApi.MaxOpen; i++)
        {
            open.Add(await StartAsync(client, studyId, participantId));
        }

        var refused = await client.PostAsync(Uploads.Path(studyId, participantId) + "/uploads", null);
        var problem = await ProblemAssert.IsProblem(refused, HttpStatusCode.TooManyRequests, "too-many-uploads");
        // Retry-After is when the oldest upload expires (15 minutes from its start).
        Assert.InRange(refused.Headers.RetryAfter?.Delta?.TotalSeconds ?? 0, 14 * 60, 15 * 60);
        var detail = problem.GetProperty("detail").GetString()!;
        Assert.Contains($"has {StagingLimitedApi.MaxOpen} direct uploads open", detail, StringComparison.Ordinal);
        Assert.Contains($"the oldest expires at {open[0].ExpiresAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)}", detail, StringComparison.Ordinal);
        // Another tenant's uploads are its own.
        var (otherKey, _, otherStudy, otherParticipant) = await Uploads.ParticipantAsync(Api);
        await StartAsync(Api.Client(otherKey), otherStudy, otherParticipant);

        // A completed upload gives its slot back.
        await PutAsync(open[0].UploadUrl, await TestMedia.VideoAsync());
        await CompleteAsync(client, open[0]);
        Assert.Equal(0L, await Api.Database.ScalarAsync<long>("SELECT count(*) FROM direct_uploads WHERE recording_id = $1", open[0].RecordingId));
        open.Add(await StartAsync(client, studyId, participantId));
        await ProblemAssert.IsProblem(await client.PostAsync(Uploads.Path(studyId, participantId) + "/uploads", null),
            HttpStatusCode.TooManyRequests, "too-many-uploads");

        // So does an expired one, whether or not the sweep took its row yet.
        await Api.Database.ExecuteAsync("UPDATE direct_uploads SET expires_at = now() - interval '1 second' WHERE recording_id = $1", open[1].RecordingId);
        await StartAsync(client, studyId, participantId);
    }

    [Fact]
    public async Task Open_uploads_reserve_their_declared_size_or_the_upload_limit_of_the_storage_quota()
    {
        var (key, tenantId, studyId, participantId) = await Uploads.ParticipantAsync(Api);
        var client = Api.Client(key);
        await Api.Database.ExecuteAsync("UPDATE tenants SET max_storage_bytes = 1000000 WHERE id = $1", tenantId);

        var first = await StartAsync(client, studyId, participantId, 600_000);
        Assert.Equal(600_000L, first.ReservedBytes);
        var me = await client.GetFromJsonAsync<JsonElement>("/v1/me", Json.Options);
        Assert.Equal(0L, me.GetProperty("tenant").GetProperty("usedStorageBytes").GetInt64());
        Assert.Equal(600_000L, me.GetProperty("directUploads").GetProperty("reservedStorageBytes").GetInt64());
        Assert.Equal(1, me.GetProperty("directUploads").GetProperty("open").GetInt32());

        // Two uploads of 600 kB cannot both be promised a 1 MB quota.
        await ProblemAssert.IsProblem(await PostStartAsync(client, studyId, participantId, new { sizeBytes = 600_000 }),
            HttpStatusCode.RequestEntityTooLarge, "quota-exceeded");
        // Undeclared, an upload reserves the largest recording accepted (8 MiB here): more than the quota has left.
        var undeclared = await ProblemAssert.IsProblem(await client.PostAsync(Uploads.Path(studyId, participantId) + "/uploads", null),
            HttpStatusCode.RequestEntityTooLarge, "quota-exceeded");
        Assert.Contains("Recordings:MaxUploadBytes", undeclared.GetProperty("detail").GetString(), StringComparison.Ordinal);
        // Over the upload limit is too large whatever the quota.
        await ProblemAssert.IsProblem(await PostStartAsync(client, studyId, participantId, new { sizeBytes = ApiFactory.MaxUploadBytes + 1 }),
            HttpStatusCode.RequestEntityTooLarge, "payload-too-large");
        await StartAsync(client, studyId, participantId, 400_000);
        // The streamed path is admitted by the same arithmetic: the reservations leave it no room.
        await ProblemAssert.IsProblem(await Uploads.PostAsync(client, studyId, participantId, await TestMedia.DistinctWavAsync(901)),
            HttpStatusCode.RequestEntityTooLarge, "quota-exceeded");

        // An expired upload reserves nothing.
        await Api.Database.ExecuteAsync("UPDATE direct_uploads SET expires_at = now() - interval '1 second' WHERE recording_id = $1", first.RecordingId);
        await StartAsync(client, studyId, participantId, 600_000);
        Assert.Equal(1_000_000L, (await client.GetFromJsonAsync<JsonElement>("/v1/me", Json.Options))
            .GetProperty("directUploads").GetProperty("reservedStorageBytes").GetInt64());
    }

    [Fact]
    public async Task A_blob_larger_than_its_declared_size_is_refused_at_complete_and_the_upload_stays_open()
    {
        var (key, _, studyId, participantId) = await Uploads.ParticipantAsync(Api);
        var client = Api.Client(key);
        var bytes = await TestMedia.DistinctWavAsync(902);
        var upload = await StartAsync(client, studyId, participantId, bytes.Length - 1);
        await PutAsync(upload.UploadUrl, bytes);

        var refused = await ProblemAssert.IsProblem(await client.PostAsJsonAsync(upload.CompleteUrl, Body), HttpStatusCode.RequestEntityTooLarge, "payload-too-large");
        Assert.Contains($"declared sizeBytes {bytes.Length - 1}", refused.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(1L, await Api.Database.ScalarAsync<long>("SELECT count(*) FROM direct_uploads WHERE recording_id = $1", upload.RecordingId));
    }

    [Fact]
    public async Task An_expired_upload_completes_while_its_staged_blob_is_there()
    {
        var (key, _, studyId, participantId) = await Uploads.ParticipantAsync(Api);
        var client = Api.Client(key);
        var upload = await StartAsync(client, studyId, participantId);
        await PutAsync(upload.UploadUrl, await TestMedia.DistinctWavAsync(903));
        // Expired, but within the sweep's clock-skew margin (2 minutes): the bytes are still there, and they are the lab's.
        await Api.Database.ExecuteAsync("UPDATE direct_uploads SET expires_at = now() - interval '30 seconds' WHERE recording_id = $1", upload.RecordingId);

        await CompleteAsync(client, upload);
        Assert.Equal(0L, await Api.Database.ScalarAsync<long>("SELECT count(*) FROM direct_uploads WHERE recording_id = $1", upload.RecordingId));
    }

    [Fact]
    public async Task The_sweep_deletes_staging_blobs_no_open_upload_wants_at_once_and_keeps_an_open_uploads()
    {
        var (key, tenantId, studyId, participantId) = await Uploads.ParticipantAsync(Api);
        var client = Api.Client(key);
        // A blob without a row that is not staging keeps the 2 h grace (a registration may be on its way).
        var young = $"{tenantId}/{studyId}/{participantId}/{Guid.NewGuid()}";
        await Api.Blobs.UploadAsync(young, new MemoryStream([1, 2, 3]));

        // Written through the SAS after complete: no open upload wants it.
        var completed = await StartAsync(client, studyId, participantId);
        await PutAsync(completed.UploadUrl, await TestMedia.DistinctWavAsync(904));
        await CompleteAsync(client, completed);
        await PutAsync(completed.UploadUrl, [1, 2, 3, 4]);
        var rewritten = RecordingBlobs.StagingName(tenantId, studyId, participantId, completed.RecordingId);
        Assert.Contains(rewritten, await Api.BlobNamesAsync($"{tenantId}/"));

        var abandoned = await StartAsync(client, studyId, participantId);
        await PutAsync(abandoned.UploadUrl, [5, 6, 7]);
        var staged = RecordingBlobs.StagingName(tenantId, studyId, participantId, abandoned.RecordingId);

        await Eventually.WaitAsync(async () => !(await Api.BlobNamesAsync($"{tenantId}/")).Contains(rewritten), TimeSpan.FromSeconds(30),
            "the sweep to delete the staging blob written after complete");
        await Task.Delay(TimeSpan.FromSeconds(1.5)); // a few more sweeps
        var names = await Api.BlobNamesAsync($"{tenantId}/");
        Assert.Contains(staged, names); // its upload is open
        Assert.Contains(young, names);

        // Expired past the clock-skew margin: the upload and its staging blob go within a staging sweep or two.
        await Api.Database.ExecuteAsync("UPDATE direct_uploads SET expires_at = now() - interval '10 minutes' WHERE recording_id = $1", abandoned.RecordingId);
        await Eventually.WaitAsync(async () => !(await Api.BlobNamesAsync($"{tenantId}/")).Contains(staged)
                && await Api.Database.ScalarAsync<long>("SELECT count(*) FROM direct_uploads WHERE recording_id = $1", abandoned.RecordingId) == 0,
            TimeSpan.FromSeconds(30), "the sweep to delete the expired upload and its staging blob");
        Assert.Contains(young, await Api.BlobNamesAsync($"{tenantId}/"));
    }

    private static Task<HttpResponseMessage> PostStartAsync(HttpClient client, Guid studyId, Guid participantId, object body) =>
        client.PostAsJsonAsync(Uploads.Path(studyId, participantId) + "/uploads", body);

    private static async Task<DirectUploadDto> StartAsync(HttpClient client, Guid studyId, Guid participantId, long? sizeBytes = null)
    {
        var start = sizeBytes is null
            ? await client.PostAsync(Uploads.Path(studyId, participantId) + "/uploads", null)
            : await PostStartAsync(client, studyId, participantId, new { sizeBytes });
        Assert.True(start.IsSuccessStatusCode, $"start: {(int)start.StatusCode} {await start.Content.ReadAsStringAsync()}");
        return (await start.Content.ReadFromJsonAsync<DirectUploadDto>(Json.Options))!;
    }

    private static async Task CompleteAsync(HttpClient client, DirectUploadDto upload)
    {
        var completed = await client.PostAsJsonAsync(upload.CompleteUrl, Body);
        Assert.True(completed.StatusCode == HttpStatusCode.Created, $"complete: {(int)completed.StatusCode} {await completed.Content.ReadAsStringAsync()}");
    }

    private static async Task PutAsync(Uri url, byte[] bytes)
    {
        using var storage = new HttpClient();
        using var put = new HttpRequestMessage(HttpMethod.Put, url) { Content = new ByteArrayContent(bytes) };
        put.Headers.Add("x-ms-blob-type", "BlockBlob");
        (await storage.SendAsync(put)).EnsureSuccessStatusCode();
    }
}
