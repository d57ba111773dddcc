using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using EmiPlatform.Storage;

namespace EmiPlatform.Bench;

/// <summary>
/// <c>upload-api</c> (issue 5 item 7): the same file through the API host (a separate process: streamed POST, staged
/// blocks, SHA-256, ffprobe, tail decode, row) and as direct uploads with the SDK to the same Azurite (its UploadAsync
/// with defaults, and one Put Blob), in one run; prints API ÷ direct SDK upload (issue 13: target ≥ 0.9) and the
/// API's peak RSS above idle (target &lt; 200 MB).
/// </summary>
internal static class ApiUploadBenchmark
{
    public static async Task<int> RunAsync(string apiDll, string file, BlobStore baselineStore, string storageConnectionString,
        IReadOnlyDictionary<string, string> apiSettings, int repeat, CancellationToken ct = default)
    {
        var bytes = new FileInfo(file).Length;
        await using var api = await Platform.CreateAsync(Topology.Embedded, "bench",
            settings: new Dictionary<string, string>(apiSettings) { ["Storage:ConnectionString"] = storageConnectionString });
        Console.WriteLine($"starting the API: dotnet {apiDll} (fresh database {api.Database.Name}, container {api.Settings["Storage:Container"]})");
        await api.StartApiAsync(apiDll);
        var url = api.Http.BaseAddress!;

        using var http = new HttpClient(new SocketsHttpHandler()) { BaseAddress = url, Timeout = Timeout.InfiniteTimeSpan };
        var admin = Authorized(url, api.AdminKey);
        var tenant = await PostAsync(admin, "v1/admin/tenants", new { name = "upload benchmark" }, ct);
        var tenantId = tenant.GetProperty("tenant").GetProperty("id").GetGuid();
        var lab = Authorized(url, tenant.GetProperty("adminKey").GetProperty("secret").GetString()!);
        var study = await PostAsync(lab, "v1/studies", new { name = "upload benchmark" }, ct);
        var studyId = study.GetProperty("id").GetGuid();
        var participant = await PostAsync(lab, $"v1/studies/{studyId}/participants", new { code = "B01" }, ct);
        var path = $"v1/studies/{studyId}/participants/{participant.GetProperty("id").GetGuid()}/recordings?fileName=bench.wav&stimulus=bench";

        var apiRuns = new List<(double MBps, long Idle, long Peak)>();
        var sdkRuns = new List<UploadMeasurement>();
        var putBlobRuns = new List<UploadMeasurement>();
        try
        {
            for (var run = 0; run < repeat; run++)
            {
                // Alternating, so that load from elsewhere on the machine hits all alike.
                sdkRuns.Add(await BaselineAsync(baselineStore, name => UploadBenchmarks.DirectSdkUploadAsync(baselineStore, file, name, ct), ct));
                putBlobRuns.Add(await BaselineAsync(baselineStore, name => UploadBenchmarks.DirectPutBlobAsync(baselineStore, file, name, ct), ct));

                await Task.Delay(TimeSpan.FromSeconds(2), ct); // let the API settle before reading its idle RSS
                var idle = ProcessMemory.Read(api.Api!.Pid).Rss;
                using var sampler = new ProcessRssSampler(api.Api!.Pid);
                var clock = Stopwatch.StartNew();
                var recording = await UploadAsync(lab, path, file, ct);
                clock.Stop();
                sampler.Dispose();
                var mbps = bytes / 1e6 / clock.Elapsed.TotalSeconds;
                apiRuns.Add((mbps, idle, sampler.Peak));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  upload-api (POST through the API, {recording.GetProperty("durationSeconds").GetDouble() / 3600:0.0} h WAV probed): " +
                    $"{bytes / 1e6:F1} MB in {clock.Elapsed.TotalSeconds:F2} s = {mbps:F1} MB/s; API RSS idle {idle / 1048576.0:F0} MiB, " +
                    $"peak {sampler.Peak / 1048576.0:F0} MiB (+{(sampler.Peak - idle) / 1048576.0:F0} MiB)"));
                using var deleted = await lab.DeleteAsync($"v1/recordings/{recording.GetProperty("id").GetGuid()}", ct);
                deleted.EnsureSuccessStatusCode();
            }
        }
        finally
        {
            using var gone = await admin.DeleteAsync($"v1/admin/tenants/{tenantId}", CancellationToken.None);
        }

        var apiMedian = Median(apiRuns.Select(r => r.MBps));
        var sdkMedian = Median(sdkRuns.Select(r => r.MegabytesPerSecond));
        var putBlobMedian = Median(putBlobRuns.Select(r => r.MegabytesPerSecond));
        var above = apiRuns.Max(r => r.Peak - r.Idle);
        var (_, hwm) = ProcessMemory.Read(api.Api!.Pid);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"upload-api: median {apiMedian:F1} MB/s; direct SDK UploadAsync: median {sdkMedian:F1} MB/s; " +
            $"direct single Put Blob: median {putBlobMedian:F1} MB/s over {repeat} run(s)"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"ratio api / direct SDK upload: {apiMedian / sdkMedian:F2} (target >= 0.9); api / single Put Blob: {apiMedian / putBlobMedian:F2}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"API peak RSS above idle: {above / 1e6:F0} MB (target < 200 MB); VmHWM over the process's life {hwm / 1048576.0:F0} MiB"));
        Console.WriteLine(JsonSerializer.Serialize(new
        {
            bytes,
            api_mb_per_s = apiMedian,
            direct_sdk_mb_per_s = sdkMedian,
            direct_put_blob_mb_per_s = putBlobMedian,
            ratio = apiMedian / sdkMedian,
            ratio_put_blob = apiMedian / putBlobMedian,
            api_rss_idle_bytes = apiRuns.Min(r => r.Idle),
            api_rss_peak_bytes = apiRuns.Max(r => r.Peak),
            api_rss_above_idle_bytes = above,
            api_vm_hwm_bytes = hwm,
            runs = repeat,
        }));
        return 0;
    }

    private static async Task<UploadMeasurement> BaselineAsync(BlobStore store, Func<string, Task<UploadMeasurement>> upload, CancellationToken ct)
    {
        var blobName = $"bench/{Guid.NewGuid():N}.wav";
        var measurement = await upload(blobName);
        Console.WriteLine("  " + measurement);
        await store.Container.GetBlobClient(blobName).DeleteIfExistsAsync(cancellationToken: ct);
        return measurement;
    }

    private static HttpClient Authorized(Uri url, string key)
    {
        var client = new HttpClient { BaseAddress = url, Timeout = Timeout.InfiniteTimeSpan };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    private static async Task<JsonElement> PostAsync(HttpClient client, string path, object body, CancellationToken ct)
    {
        using var response = await client.PostAsJsonAsync(path, body, ct);
        return await ReadAsync(response, ct);
    }

    /// <summary>The file streamed as the body, as <c>emi upload</c> sends it.</summary>
    private static async Task<JsonElement> UploadAsync(HttpClient client, string path, string file, CancellationToken ct)
    {
        await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
        using var content = new StreamContent(stream, 1 << 16);
        content.Headers.ContentType = new MediaTypeHeaderValue("audio/wav");
        content.Headers.ContentLength = stream.Length;
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        request.Headers.ExpectContinue = true;
        using var response = await client.SendAsync(request, ct);
        if (response.StatusCode != HttpStatusCode.Created)
        {
            throw new InvalidOperationException($"upload answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(ct)}");
        }
        return await ReadAsync(response, ct);
    }

    private static async Task<JsonElement> ReadAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var text = await response.Content.ReadAsStringAsync(ct);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri} answered {(int)response.StatusCode}: {text}");
        }
        using var doc = JsonDocument.Parse(text);
        return doc.RootElement.Clone();
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
