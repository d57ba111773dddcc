using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using EmiPlatform.Api.Recordings;
using EmiPlatform.Api.Storage;
using EmiPlatform.Storage;

namespace EmiPlatform.Testing;

/// <summary>
/// Uploads under a fault, from the client's side and then the platform's. The client behaves as <c>emi upload</c> does:
/// an upload without an answer, or answered 5xx, 429 or 409 complete-in-progress, is sent again (the same bytes; for a
/// direct upload, <c>complete</c> of the same recording id) until it is registered. Then the no-loss check: every row's
/// blob holds bytes whose SHA-256 is the row's, and every blob under the tenant's prefix has a row or is an orphan the
/// sweep reports, and is gone after <c>sweep?remove=true</c>.
/// </summary>
public static class FaultedUploads
{
    private static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(500);

    /// <summary>A participant's recordings path.</summary>
    public static string Path(Guid studyId, Guid participantId) => $"/v1/studies/{studyId}/participants/{participantId}/recordings";

    /// <summary>A streamed upload's request (POST of the bytes, file name in the query).</summary>
    public static HttpRequestMessage Post(Guid studyId, Guid participantId, HttpContent content, string fileName)
    {
        content.Headers.ContentType = new("audio/wav");
        var request = new HttpRequestMessage(HttpMethod.Post, $"{Path(studyId, participantId)}?fileName={fileName}") { Content = content };
        request.Headers.ExpectContinue = true;
        return request;
    }

    /// <summary>Starts a direct upload and PUTs <paramref name="bytes"/> to its write SAS: ready for <c>complete</c>.</summary>
    public static async Task<DirectUploadDto> StageAsync(HttpClient client, Guid studyId, Guid participantId, byte[] bytes)
    {
        using var started = await client.PostAsync(Path(studyId, participantId) + "/uploads", null);
        started.EnsureSuccessStatusCode();
        var upload = (await started.Content.ReadFromJsonAsync<DirectUploadDto>(Json.Options))!;
        using var storage = new HttpClient();
        using var put = new HttpRequestMessage(HttpMethod.Put, upload.UploadUrl) { Content = new ByteArrayContent(bytes) };
        put.Headers.Add("x-ms-blob-type", "BlockBlob");
        (await storage.SendAsync(put)).EnsureSuccessStatusCode();
        return upload;
    }

    /// <summary>
    /// Sends <paramref name="attempt"/> (given the attempt's number, 0 first) until it registers the recording, within
    /// <paramref name="patience"/>; returns the recording and how many attempts it took. An answer no retry can change
    /// (a 4xx other than 429 and complete-in-progress) fails the test.
    /// </summary>
    public static async Task<(RecordingDto Recording, int Attempts)> UntilRegisteredAsync(
        HttpClient client, Func<int, HttpRequestMessage> attempt, TimeSpan patience)
    {
        var deadline = DateTime.UtcNow + patience;
        var answers = new List<string>();
        for (var n = 0; ; n++)
        {
            try
            {
                using var request = attempt(n);
                using var response = await client.SendAsync(request);
                var body = await response.Content.ReadAsStringAsync();
                if (response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Created)
                {
                    return (JsonSerializer.Deserialize<RecordingDto>(body, Json.Options)!, n + 1);
                }
                answers.Add($"{(int)response.StatusCode} {body}");
                var retried = (int)response.StatusCode >= 500 || response.StatusCode == HttpStatusCode.TooManyRequests
                    || (response.StatusCode == HttpStatusCode.Conflict && body.Contains("complete-in-progress", StringComparison.Ordinal));
                Assert.True(retried, $"{request.Method} {request.RequestUri} answered what no retry changes: {answers[^1]}");
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
            {
                answers.Add($"no answer: {e.Message}");
            }
            Assert.True(DateTime.UtcNow < deadline, $"not registered within {patience}: {string.Join(" | ", answers)}");
            await Task.Delay(Pause);
        }
    }

    /// <summary>The recording rows of a tenant ($1) as <see cref="AssertEachUploadIsOneRecording"/> reads them.</summary>
    public const string RecordingRowsSql = "SELECT id, blob_name, sha256 FROM recordings WHERE tenant_id = $1";

    /// <summary>
    /// Every upload the clients made is one recording with their bytes' hash (a complete registers its own staged id),
    /// and the tenant's rows (<see cref="RecordingRowsSql"/>) are exactly those recordings. Returns the rows as
    /// <see cref="AssertNothingLostAsync"/> takes them.
    /// </summary>
    public static IReadOnlyList<(string BlobName, string Sha256)> AssertEachUploadIsOneRecording(
        byte[][] streamed, (RecordingDto Recording, int Attempts)[] streamedResults,
        IReadOnlyList<DirectUploadDto> staged, byte[][] direct, (RecordingDto Recording, int Attempts)[] directResults,
        IReadOnlyList<object[]> rows)
    {
        for (var i = 0; i < streamed.Length; i++)
        {
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(streamed[i])), streamedResults[i].Recording.Sha256);
        }
        for (var i = 0; i < direct.Length; i++)
        {
            Assert.Equal(staged[i].RecordingId, directResults[i].Recording.Id);
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(direct[i])), directResults[i].Recording.Sha256);
        }
        var ids = streamedResults.Concat(directResults).Select(r => r.Recording.Id).ToHashSet();
        Assert.Equal(streamed.Length + direct.Length, ids.Count);
        Assert.Equal(ids.Order(), rows.Select(r => (Guid)r[0]).Order());
        return [.. rows.Select(r => ((string)r[1], (string)r[2]))];
    }

    /// <summary>
    /// The no-loss check on <paramref name="tenantId"/>'s blobs. <paramref name="rows"/>: every recording row of the
    /// tenant (blob name, SHA-256), read from the database. Returns the orphans the sweep reported (and then removed).
    /// </summary>
    public static async Task<IReadOnlyList<string>> AssertNothingLostAsync(
        IBlobStore blobs, HttpClient admin, Guid tenantId, IReadOnlyList<(string BlobName, string Sha256)> rows)
    {
        foreach (var (blobName, sha256) in rows)
        {
            var stored = (await blobs.Container.GetBlobClient(blobName).DownloadContentAsync()).Value.Content.ToArray();
            Assert.True(sha256 == Convert.ToHexStringLower(SHA256.HashData(stored)), $"the bytes of {blobName} are not the row's");
        }
        var prefix = RecordingBlobs.TenantPrefix(tenantId);
        var named = rows.Select(r => r.BlobName).ToHashSet(StringComparer.Ordinal);
        var report = await SweepAsync(admin, remove: false);
        Assert.Empty(report.RowsWithoutBlob);
        var unexplained = (await NamesAsync(blobs, prefix)).Where(b => !named.Contains(b) && !report.OrphanBlobs.Contains(b)).ToList();
        Assert.True(unexplained.Count == 0, $"blobs neither a row's nor reported by the sweep: {string.Join(", ", unexplained)}");

        var removed = await SweepAsync(admin, remove: true);
        Assert.Equal(report.OrphanBlobs.Order(StringComparer.Ordinal), removed.OrphanBlobs.Order(StringComparer.Ordinal));
        Assert.Equal(named.Order(StringComparer.Ordinal), (await NamesAsync(blobs, prefix)).Order(StringComparer.Ordinal));
        var after = await SweepAsync(admin, remove: false);
        Assert.Empty(after.OrphanBlobs);
        Assert.Empty(after.RowsWithoutBlob);
        return report.OrphanBlobs.Where(b => b.StartsWith(prefix, StringComparison.Ordinal)).ToList();
    }

    private static async Task<SweepReportDto> SweepAsync(HttpClient admin, bool remove)
    {
        using var response = await admin.PostAsync($"/v1/admin/storage/sweep?remove={(remove ? "true" : "false")}", null);
        Assert.True(response.IsSuccessStatusCode, $"sweep: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<SweepReportDto>(Json.Options))!;
    }

    private static async Task<List<string>> NamesAsync(IBlobStore blobs, string prefix)
    {
        var names = new List<string>();
        await foreach (var blob in blobs.Container.GetBlobsAsync(new Azure.Storage.Blobs.Models.GetBlobsOptions { Prefix = prefix }))
        {
            names.Add(blob.Name);
        }
        return names;
    }
}
