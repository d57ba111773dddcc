using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;

namespace EmiPlatform.Bench;

/// <summary>
/// <c>load</c> (issue 14 item 4): the API host as a separate process on loopback, N clients reading lists, timelines
/// and CSV exports of a seeded study while M clients upload recordings, for S seconds or R requests, whichever comes
/// first. Prints the count of 5xx (which must be zero), p50 and p99 latency per endpoint group under load against the
/// same requests sent one at a time to the idle host in the same run, requests per second, 429s separately, and the
/// API's resident memory at the start, middle and end of the load.
/// </summary>
internal static class LoadBenchmark
{
    public const string Usage = """
        usage: EmiPlatform.Bench load [--seconds S] [--clients N] [--uploads M] [--max-requests R] [--recordings K]
                                      [--windows W] [--api-dll PATH]
          N clients (default 16) loop over list, timeline and export requests (an export every tenth request) and M
          clients (default 4) upload 1-second WAV recordings, for S seconds (default 60) or R requests in all (default
          1000000), whichever comes first; requests in flight then finish (each has 30 s). The study read has K
          recordings (default 20) of W timeline windows each (default 600), seeded into PostgreSQL. The API runs with
          Orleans:Roles=coordinator (uploads queue their jobs, nothing scores), with its per-key request budgets raised
          out of the way (RateLimits:Requests, :TenantRequests and :Exports 1000000 per second, open streams unbounded) and Coordination:MaxConcurrentUploads =
          max(M, 8); 429s are counted apart anyway. Needs EMI_PG*, EMI_AZURITE (.local/env.sh) and a built API.
        """;

    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);

    public static async Task<int> RunAsync(BenchArguments options)
    {
        var root = RepoRoot.Path;
        var seconds = options.Number("seconds", 60);
        var clients = options.Int("clients", 16);
        var uploaders = options.Int("uploads", 4);
        var maxRequests = options.Int("max-requests", 1_000_000);
        var recordings = options.Int("recordings", 20);
        var windows = options.Int("windows", 600);
        var apiDll = options.Text("api-dll", HostBinaries.Find("EmiPlatform.Api", "EmiPlatform.Api.dll"));

        const string unlimited = "1000000";
        var settings = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["Orleans:Roles"] = "coordinator",
            ["Scoring:DefaultBundle"] = Path.Combine(root, "models", "reference-tiny"),
            ["RateLimits:Requests:TokenLimit"] = unlimited,
            ["RateLimits:Requests:TokensPerPeriod"] = unlimited,
            ["RateLimits:TenantRequests:TokenLimit"] = unlimited,
            ["RateLimits:TenantRequests:TokensPerPeriod"] = unlimited,
            ["RateLimits:Exports:TokenLimit"] = unlimited,
            ["RateLimits:Exports:TokensPerPeriod"] = unlimited,
            // One key reads with every client at once: the open-stream caps (4 per key) would otherwise be what is measured.
            ["RateLimits:StreamsPerKey"] = unlimited,
            ["RateLimits:StreamsPerTenant"] = unlimited,
            ["Coordination:MaxConcurrentUploads"] = Math.Max(uploaders, 8).ToString(CultureInfo.InvariantCulture),
        };
        await using var api = await Platform.CreateAsync(Topology.Embedded, "bench", settings: settings);
        Console.WriteLine($"starting the API: dotnet {apiDll} (fresh database {api.Database.Name}, container {api.Settings["Storage:Container"]})");
        await api.StartApiAsync(apiDll);
        using var http = new HttpClient(new SocketsHttpHandler { PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30) })
        {
            BaseAddress = api.Http.BaseAddress,
            Timeout = RequestTimeout,
        };

        var lab = await PrepareAsync(http, api, "load benchmark", uploaders, recordings, windows);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", lab.Key);
        Console.WriteLine($"study {lab.StudyId}: {recordings} recordings x {windows} windows seeded; {LoadAverage.Now()}");

        // Warm-up (JIT, pools, shared buffers), then the idle baseline: the same requests, one at a time (100 list and
        // timeline requests, 34 exports and uploads, whose p99 is thus their slowest).
        var uploadSeed = 0;
        var warm = new LoadRecorder();
        var idle = new LoadRecorder();
        foreach (var (recorder, repeat) in new[] { (warm, 3), (idle, 100) })
        {
            for (var i = 0; i < repeat; i++)
            {
                await SendAsync(http, recorder, "list", () => lab.List(i));
                await SendAsync(http, recorder, "timeline", () => lab.Timeline(i));
                if (i % 3 == 0)
                {
                    await SendAsync(http, recorder, "export", lab.Export);
                    await SendAsync(http, recorder, "upload", () => lab.Upload(i, ++uploadSeed));
                }
            }
        }
        if (idle.ServerErrors + idle.Unanswered + warm.ServerErrors + warm.Unanswered > 0)
        {
            Console.Error.WriteLine($"the idle host already failed: {warm.Outcomes}; {idle.Outcomes}");
            return 1;
        }

        var load = new LoadRecorder();
        long issued = 0;
        var clock = Stopwatch.StartNew();
        var duration = TimeSpan.FromSeconds(seconds);
        bool Go() => clock.Elapsed < duration && Interlocked.Increment(ref issued) <= maxRequests;
        var rss = new List<(string When, long Bytes)> { ("start", ProcessMemory.Read(api.Api!.Pid).Rss) };
        using var peak = new ProcessRssSampler(api.Api!.Pid);
        var loadAtStart = LoadAverage.Now();
        var readers = Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
        {
            for (var i = c; Go(); i++)
            {
                await (i % 10 == 9 ? SendAsync(http, load, "export", lab.Export)
                    : i % 2 == 0 ? SendAsync(http, load, "list", () => lab.List(i / 2))
                    : SendAsync(http, load, "timeline", () => lab.Timeline(i / 2)));
            }
        }));
        var uploads = Enumerable.Range(0, uploaders).Select(u => Task.Run(async () =>
        {
            while (Go())
            {
                await SendAsync(http, load, "upload", () => lab.Upload(u, Interlocked.Increment(ref uploadSeed)));
            }
        }));
        var sampling = Task.Run(async () =>
        {
            await Task.Delay(duration / 2);
            rss.Add(("middle", ProcessMemory.Read(api.Api!.Pid).Rss));
            await Task.Delay(duration / 2);
            rss.Add(("end", ProcessMemory.Read(api.Api!.Pid).Rss));
        });
        await Task.WhenAll(readers.Concat(uploads));
        var elapsed = clock.Elapsed;
        var loadAtEnd = LoadAverage.Now();
        if (rss.Count < 3)
        {
            rss.Add(("end", ProcessMemory.Read(api.Api!.Pid).Rss)); // the request bound stopped it early
        }
        peak.Dispose();

        Report(load, idle, elapsed, clients, uploaders, rss, peak.Peak, loadAtStart, loadAtEnd);
        return load.ServerErrors + load.Unanswered == 0 ? 0 : 1;
    }

    private static void Report(LoadRecorder load, LoadRecorder idle, TimeSpan elapsed, int clients, int uploaders,
        List<(string When, long Bytes)> rss, long peak, string loadAtStart, string loadAtEnd)
    {
        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(inv, $"""

            load: {clients} clients (list, timeline, export) + {uploaders} uploading, {elapsed.TotalSeconds:F1} s on loopback, {Environment.ProcessorCount} cores; at the start {loadAtStart}, at the end {loadAtEnd}
            requests: {load.Requests} in all, {load.Requests / elapsed.TotalSeconds:F0}/s; outcomes: {load.Outcomes}
            429s (rate limits, counted apart, not in the latencies): {load.Count("429")}
            """));
        Console.WriteLine($"{"group",-9} {"requests",9} {"idle p50",9} {"idle p99",9} {"load p50",9} {"load p99",9} {"p99 load/idle",14}");
        foreach (var group in load.Groups)
        {
            var (p50, p99, n) = load.Latency(group);
            var (i50, i99, _) = idle.Latency(group);
            Console.WriteLine(string.Create(inv, $"{group,-9} {n,9} {i50,7:F1}ms {i99,7:F1}ms {p50,7:F1}ms {p99,7:F1}ms {p99 / i99,14:F1}"));
        }
        Console.WriteLine(string.Create(inv,
            $"API RSS: {string.Join(", ", rss.Select(r => $"{r.When} {r.Bytes / 1048576.0:F0} MiB"))}; end / start {(double)rss[^1].Bytes / rss[0].Bytes:F2}; peak {peak / 1048576.0:F0} MiB"));
        Console.WriteLine(load.ServerErrors + load.Unanswered == 0
            ? "zero-5xx check: PASS (0 responses 5xx, 0 requests unanswered)"
            : $"zero-5xx check: FAIL ({load.ServerErrors} responses 5xx, {load.Unanswered} requests unanswered)");
    }

    /// <summary>One request, timed until its whole body has been read (an export's last row, a timeline's last window).</summary>
    internal static async Task SendAsync(HttpClient http, LoadRecorder recorder, string group, Func<HttpRequestMessage> make)
    {
        using var request = make();
        var clock = Stopwatch.StartNew();
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            await using (var body = await response.Content.ReadAsStreamAsync())
            {
                await body.CopyToAsync(Stream.Null);
            }
            recorder.Answered(group, response.StatusCode, clock.Elapsed);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
        {
            recorder.Failed(group, e);
        }
    }

    /// <summary>A new tenant named <paramref name="name"/> with a study of seeded timelines and a participant per uploader.</summary>
    internal static async Task<Lab> PrepareAsync(HttpClient http, Platform api, string name, int uploaders, int recordings, int windows)
    {
        var tenant = await PostAsync(http, api.AdminKey, "v1/admin/tenants", new { name });
        var tenantId = tenant.GetProperty("tenant").GetProperty("id").GetGuid();
        var key = tenant.GetProperty("adminKey").GetProperty("secret").GetString()!;
        var studyId = (await PostAsync(http, key, "v1/studies", new { name })).GetProperty("id").GetGuid();
        await ExportBenchmark.SeedAsync(api.Database.Owner, tenantId, studyId, recordings, windows, CancellationToken.None);
        var seeded = new List<(Guid Participant, Guid Recording)>();
        await using (var connection = new NpgsqlConnection(api.Database.Owner))
        {
            await connection.OpenAsync();
            await using var query = new NpgsqlCommand("SELECT participant_id, id FROM recordings WHERE study_id = @study ORDER BY id", connection);
            query.Parameters.AddWithValue("study", studyId);
            await using var reader = await query.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                seeded.Add((reader.GetGuid(0), reader.GetGuid(1)));
            }
        }
        var targets = new List<Guid>();
        for (var u = 0; u < uploaders; u++)
        {
            targets.Add((await PostAsync(http, key, $"v1/studies/{studyId}/participants", new { code = $"upload-{u}" })).GetProperty("id").GetGuid());
        }
        return new Lab(tenantId, key, studyId, seeded, targets);
    }

    internal static async Task<JsonElement> PostAsync(HttpClient http, string key, string path, object body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return response.IsSuccessStatusCode
            ? JsonDocument.Parse(text).RootElement.Clone()
            : throw new InvalidOperationException($"POST {path}: {(int)response.StatusCode} {text}");
    }

    /// <summary>The benchmark's tenant: its key, the seeded study's participants and recordings, and a participant per uploader.</summary>
    internal sealed record Lab(Guid TenantId, string Key, Guid StudyId, List<(Guid Participant, Guid Recording)> Seeded, List<Guid> UploadTargets)
    {
        /// <summary>The three list endpoints a dashboard or `emi` walks, in turn.</summary>
        public HttpRequestMessage List(int i)
        {
            var (participant, _) = Seeded[i % Seeded.Count];
            return Get((i % 3) switch
            {
                0 => "v1/studies?pageSize=50",
                1 => $"v1/studies/{StudyId}/participants?pageSize=200",
                _ => $"v1/studies/{StudyId}/participants/{participant}/recordings",
            });
        }

        public HttpRequestMessage Timeline(int i) => Get($"v1/recordings/{Seeded[i % Seeded.Count].Recording}/timeline");

        public HttpRequestMessage Export() => Get($"v1/studies/{StudyId}/export?format=long");

        /// <summary>A distinct 1-second WAV each time (uploads are de-duplicated by hash), streamed as `emi upload` does.</summary>
        public HttpRequestMessage Upload(int uploader, int seed)
        {
            var content = new ByteArrayContent(WavPayload.Noise(1, seed));
            content.Headers.ContentType = new MediaTypeHeaderValue("audio/wav");
            return new HttpRequestMessage(HttpMethod.Post,
                $"v1/studies/{StudyId}/participants/{UploadTargets[uploader % UploadTargets.Count]}/recordings?fileName=load-{seed}.wav") { Content = content };
        }

        private static HttpRequestMessage Get(string path) => new(HttpMethod.Get, path);
    }
}
