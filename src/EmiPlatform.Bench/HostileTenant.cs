using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace EmiPlatform.Bench;

/// <summary>
/// Tenant A of the <c>neighbours</c> benchmark: every hostile workload at once, each on its own recorder, until
/// disposed. Stalled readers open a long timeline, read a few bytes and hold the response; event streams stay open and
/// are read; rounds of concurrent <c>complete</c>s of one direct upload; staging spam (direct uploads started and a
/// junk blob written to each, never completed); streamed uploads of a long recording, each for a new participant, so
/// every one that is accepted queues a job that holds a scoring slot for a long time. A refused request is retried
/// after its <c>Retry-After</c> (a client that ignores it only meets the rate limits sooner); the webhook tarpit is
/// A's registered webhooks, fed by A's finished jobs and by the rounds' jobs, which A cancels.
/// </summary>
internal sealed class HostileTenant : IAsyncDisposable
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(60);

    private readonly LoadBenchmark.Lab _lab;
    private readonly List<HttpClient> _clients;
    private readonly HttpClient _storage = new() { Timeout = RequestTimeout };
    private readonly string _media;
    private readonly string _roundMedia;
    private readonly Guid _roundsStudy;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _workers = [];
    private int _participants;
    private int _holding;
    private int _storageFailures;

    private HostileTenant(Uri api, LoadBenchmark.Lab lab, IReadOnlyList<string> keys, string media, Guid roundsStudy, string roundMedia)
    {
        _lab = lab;
        _media = media;
        _roundsStudy = roundsStudy;
        _roundMedia = roundMedia;
        // One connection pool per key, as separate clients would have; no cap on connections per server.
        _clients = [.. keys.Select(key =>
        {
            // Expect: 100-continue waits for the API's answer as long as the request may take: with .NET's default of 1 s a
            // refused upload would send its body anyway on a loaded host, and see a broken pipe instead of its 429.
            var client = new HttpClient(new SocketsHttpHandler { PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30), Expect100ContinueTimeout = RequestTimeout })
            {
                BaseAddress = api,
                Timeout = RequestTimeout,
            };
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
            return client;
        })];
    }

    public LoadRecorder Readers { get; } = new();

    public LoadRecorder Streams { get; } = new();

    public LoadRecorder Completes { get; } = new();

    public LoadRecorder Staging { get; } = new();

    public LoadRecorder Media { get; } = new();

    /// <summary>The participants that the rounds and the media uploads make (a new one each time, so uploads are never duplicates).</summary>
    public LoadRecorder Participants { get; } = new();

    /// <summary>Direct uploads whose completes ran, with how many completes answered 201 and 200.</summary>
    public ConcurrentDictionary<Guid, (int Created, int Ok)> CompletedUploads { get; } = new();

    /// <summary>Recordings that completes and media uploads were answered with (201 or 200): each must have its row.</summary>
    public ConcurrentBag<Guid> AnsweredRecordings { get; } = [];

    /// <summary>Stalled readers and event streams holding a response right now.</summary>
    public int Holding => Volatile.Read(ref _holding);

    /// <summary>Writes of blobs to storage through a SAS URL that failed (Azurite's, not the API's).</summary>
    public int StorageFailures => Volatile.Read(ref _storageFailures);

    public IEnumerable<(string Workload, LoadRecorder Recorder)> Recorders =>
    [
        ("stalled readers", Readers), ("event streams", Streams), ("completes of one upload", Completes),
        ("staging spam", Staging), ("slot-holding media", Media), ("their participants", Participants),
    ];

    /// <summary>
    /// Starts every workload. The rounds of completes upload <paramref name="roundMedia"/> (short: their jobs finish and
    /// feed the tarpit) into <paramref name="roundsStudy"/>, so that the tenant grain's study turns interleave them with
    /// the long recording's jobs in the seeded study.
    /// </summary>
    public static HostileTenant Start(Uri api, LoadBenchmark.Lab lab, IReadOnlyList<string> keys, string media, Guid roundsStudy, string roundMedia,
        int readers, int streams, int completes, int spammers, int mediaUploaders)
    {
        var a = new HostileTenant(api, lab, keys, media, roundsStudy, roundMedia);
        for (var i = 0; i < readers; i++)
        {
            var n = i;
            a._workers.Add(Task.Run(() => a.HoldAsync(a.Readers, "timeline", n, drain: false,
                () => new HttpRequestMessage(HttpMethod.Get, $"v1/recordings/{lab.Seeded[n % lab.Seeded.Count].Recording}/timeline"))));
        }
        for (var i = 0; i < streams; i++)
        {
            var n = i;
            a._workers.Add(Task.Run(() => a.HoldAsync(a.Streams, "events", n, drain: true,
                () => new HttpRequestMessage(HttpMethod.Get, $"v1/studies/{lab.StudyId}/events"))));
        }
        a._workers.Add(Task.Run(() => a.CompleteRoundsAsync(completes)));
        for (var i = 0; i < spammers; i++)
        {
            var n = i;
            a._workers.Add(Task.Run(() => a.SpamStagingAsync(n)));
        }
        for (var i = 0; i < mediaUploaders; i++)
        {
            var n = i;
            a._workers.Add(Task.Run(() => a.UploadMediaAsync(n)));
        }
        return a;
    }

    private CancellationToken Stop => _stop.Token;

    private HttpClient Client(int n) => _clients[n % _clients.Count];

    /// <summary>Opens a streamed response and holds it until the end (reading a few bytes, or everything for an event stream); retries when refused.</summary>
    private async Task HoldAsync(LoadRecorder recorder, string group, int n, bool drain, Func<HttpRequestMessage> make)
    {
        while (!Stop.IsCancellationRequested)
        {
            var clock = Stopwatch.StartNew();
            try
            {
                using var request = make();
                using var response = await Client(n).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Stop);
                recorder.Answered(group, response.StatusCode, clock.Elapsed);
                if (!response.IsSuccessStatusCode)
                {
                    await Task.Delay(RetryAfter(response), Stop);
                    continue;
                }
                Interlocked.Increment(ref _holding);
                try
                {
                    await using var body = await response.Content.ReadAsStreamAsync(Stop);
                    if (drain)
                    {
                        await body.CopyToAsync(Stream.Null, Stop);
                    }
                    else
                    {
                        await body.ReadAtLeastAsync(new byte[64], 64, throwOnEndOfStream: false, Stop);
                        await Task.Delay(Timeout.Infinite, Stop);
                    }
                }
                finally
                {
                    Interlocked.Decrement(ref _holding);
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException && !Stop.IsCancellationRequested)
            {
                recorder.Failed(group, e);
            }
            catch (Exception e) when (e is OperationCanceledException or HttpRequestException or IOException && Stop.IsCancellationRequested)
            {
                return;
            }
        }
    }

    /// <summary>
    /// Rounds of: a new participant, a direct upload for it with the recording written to its URL, then
    /// <paramref name="completes"/> completes of it at once (a new participant each round, so each is a new recording).
    /// </summary>
    private async Task CompleteRoundsAsync(int completes)
    {
        var bytes = await File.ReadAllBytesAsync(_roundMedia, Stop);
        while (!Stop.IsCancellationRequested)
        {
            try
            {
                if (await AddParticipantAsync(0, _roundsStudy) is not { } participant ||
                    await StartDirectUploadAsync(Completes, 0, _roundsStudy, participant) is not { } upload)
                {
                    continue;
                }
                await PutBlobAsync(upload.UploadUrl, bytes);
                var created = 0;
                var ok = 0;
                await Task.WhenAll(Enumerable.Range(0, completes).Select(c => Task.Run(async () =>
                {
                    var (status, body) = await SendAsync(Completes, "complete", c, () => new HttpRequestMessage(HttpMethod.Post, upload.CompleteUrl)
                    {
                        Content = JsonContent.Create(new { fileName = "hostile.mp4", contentType = "video/mp4" }),
                    });
                    if (status is HttpStatusCode.Created or HttpStatusCode.OK)
                    {
                        AnsweredRecordings.Add(JsonDocument.Parse(body).RootElement.GetProperty("id").GetGuid());
                        Interlocked.Increment(ref status == HttpStatusCode.Created ? ref created : ref ok);
                    }
                })));
                CompletedUploads[upload.RecordingId] = (created, ok);
                await CancelJobsAsync(upload.RecordingId);
            }
            catch (Exception) when (Stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
            {
                CountStorageFailure();
            }
        }
    }

    /// <summary>
    /// Cancels the round's job: A's long jobs hold its only scoring slot, so its short ones would finish too late to feed
    /// the tarpit; a cancelled job is a webhook event as well (job.cancelled, one delivery per webhook).
    /// </summary>
    private async Task CancelJobsAsync(Guid recordingId)
    {
        var (status, body) = await SendAsync(Completes, "list jobs", 0, () => new HttpRequestMessage(HttpMethod.Get, $"v1/studies/{_roundsStudy}/jobs?recordingId={recordingId}"));
        if (status != HttpStatusCode.OK)
        {
            return;
        }
        foreach (var job in JsonDocument.Parse(body).RootElement.GetProperty("items").EnumerateArray().Where(j => j.GetProperty("state").GetString() == "queued"))
        {
            await SendAsync(Completes, "cancel job", 0, () => new HttpRequestMessage(HttpMethod.Post, $"v1/jobs/{job.GetProperty("id").GetGuid()}/cancel"));
        }
    }

    /// <summary>Direct uploads started and a 64 KiB junk blob written to each, never completed (the sweep's work later).</summary>
    private async Task SpamStagingAsync(int n)
    {
        var junk = new byte[64 * 1024];
        Random.Shared.NextBytes(junk);
        while (!Stop.IsCancellationRequested)
        {
            try
            {
                if (await StartDirectUploadAsync(Staging, n, _lab.StudyId, _lab.UploadTargets[0]) is { } upload)
                {
                    await PutBlobAsync(upload.UploadUrl, junk);
                }
            }
            catch (Exception) when (Stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
            {
                CountStorageFailure();
            }
        }
    }

    /// <summary>The long recording, streamed as `emi upload` does, each time for a new participant (so never a duplicate).</summary>
    private async Task UploadMediaAsync(int n)
    {
        while (!Stop.IsCancellationRequested)
        {
            try
            {
                if (await AddParticipantAsync(n, _lab.StudyId) is not { } participant)
                {
                    continue;
                }
                // Retried after each refusal (a 429 too-many-uploads while A's upload slots are full) until accepted.
                while (!Stop.IsCancellationRequested)
                {
                    var (status, recording, retry) = await UploadOnceAsync(n, participant);
                    if (recording is { } id)
                    {
                        AnsweredRecordings.Add(id);
                    }
                    if (status is null || (int)status < 400)
                    {
                        break;
                    }
                    await Task.Delay(retry, Stop);
                }
            }
            catch (Exception) when (Stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
            {
                Media.Failed("participant", e);
            }
        }
    }

    private async Task<(HttpStatusCode? Status, Guid? Recording, TimeSpan Retry)> UploadOnceAsync(int n, Guid participant)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            await using var file = File.OpenRead(_media);
            using var content = new StreamContent(file);
            content.Headers.ContentType = new MediaTypeHeaderValue("video/mp4");
            using var request = new HttpRequestMessage(HttpMethod.Post,
                $"v1/studies/{_lab.StudyId}/participants/{participant}/recordings?fileName=long.mp4") { Content = content };
            request.Headers.ExpectContinue = true;
            using var response = await Client(n).SendAsync(request, Stop);
            var text = await response.Content.ReadAsStringAsync(Stop);
            Media.Answered("upload", response.StatusCode, clock.Elapsed);
            return (response.StatusCode,
                response.IsSuccessStatusCode ? JsonDocument.Parse(text).RootElement.GetProperty("id").GetGuid() : null,
                RetryAfter(response));
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException && !Stop.IsCancellationRequested)
        {
            Media.Failed("upload", e);
            return (null, null, TimeSpan.Zero);
        }
    }

    private sealed record DirectUpload(Guid RecordingId, Uri UploadUrl, string CompleteUrl);

    /// <summary>A new participant of <paramref name="study"/>; null (after its Retry-After) when refused.</summary>
    private async Task<Guid?> AddParticipantAsync(int n, Guid study)
    {
        var code = $"hostile-{Interlocked.Increment(ref _participants)}";
        var (status, body) = await SendAsync(Participants, "participant", n, () => new HttpRequestMessage(HttpMethod.Post, $"v1/studies/{study}/participants")
        {
            Content = JsonContent.Create(new { code }),
        });
        if (status == HttpStatusCode.Created)
        {
            return JsonDocument.Parse(body).RootElement.GetProperty("id").GetGuid();
        }
        await Task.Delay(TimeSpan.FromSeconds(1), Stop);
        return null;
    }

    private async Task<DirectUpload?> StartDirectUploadAsync(LoadRecorder recorder, int n, Guid study, Guid participant)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            using var response = await Client(n).PostAsync($"v1/studies/{study}/participants/{participant}/recordings/uploads", null, Stop);
            recorder.Answered("start upload", response.StatusCode, clock.Elapsed);
            if (!response.IsSuccessStatusCode)
            {
                await Task.Delay(RetryAfter(response), Stop);
                return null;
            }
            var body = await response.Content.ReadFromJsonAsync<JsonElement>(Stop);
            return new DirectUpload(body.GetProperty("recordingId").GetGuid(), new Uri(body.GetProperty("uploadUrl").GetString()!),
                body.GetProperty("completeUrl").GetString()!);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException && !Stop.IsCancellationRequested)
        {
            recorder.Failed("start upload", e);
            return null;
        }
    }

    /// <summary>Writes the bytes to the upload's SAS URL (storage, not the API: not counted).</summary>
    private async Task PutBlobAsync(Uri url, byte[] bytes)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, url) { Content = new ByteArrayContent(bytes) };
        request.Headers.Add("x-ms-blob-type", "BlockBlob");
        using var response = await _storage.SendAsync(request, Stop);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>One request, its whole answer read; the status and body, or a null status when it went unanswered.</summary>
    private async Task<(HttpStatusCode? Status, string Body)> SendAsync(LoadRecorder recorder, string group, int n, Func<HttpRequestMessage> make)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            using var request = make();
            using var response = await Client(n).SendAsync(request, Stop);
            var body = await response.Content.ReadAsStringAsync(Stop);
            recorder.Answered(group, response.StatusCode, clock.Elapsed);
            return (response.StatusCode, body);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException && !Stop.IsCancellationRequested)
        {
            recorder.Failed(group, e);
            return (null, "");
        }
    }

    private void CountStorageFailure() => Interlocked.Increment(ref _storageFailures);

    private static TimeSpan RetryAfter(HttpResponseMessage response) =>
        response.Headers.RetryAfter?.Delta is { } wait && wait > TimeSpan.Zero ? wait : TimeSpan.FromSeconds(1);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await Task.WhenAll(_workers);
        }
        catch (OperationCanceledException)
        {
            // A worker stopped between its own checks.
        }
        _clients.ForEach(c => c.Dispose());
        _storage.Dispose();
        _stop.Dispose();
    }
}
