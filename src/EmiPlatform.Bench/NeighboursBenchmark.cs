using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;

namespace EmiPlatform.Bench;

/// <summary>
/// <c>neighbours</c> (issue 23 item 2): the noisy-neighbour benchmark. One API process (embedded: coordinator and
/// scoring, 2 scoring slots), two tenants. Tenant B does a lab's normal flow (lists, timelines, exports, uploads that
/// are scored) alone, then again while tenant A runs every hostile workload at once (<see cref="HostileTenant"/>).
/// Prints B's p99 per endpoint group under attack ÷ idle (same run), B's job waits under attack ÷ idle and against A's
/// share, the 5xx and unanswered requests of both tenants, A's refusals by workload, the API's RSS over time and
/// whether anything was lost (B's uploads without a scored job or webhook delivery, A's completes answered twice).
/// </summary>
internal static class NeighboursBenchmark
{
    public const string Usage = """
        usage: EmiPlatform.Bench neighbours [--scale X] [--seconds S] [--media-seconds M] [--api-dll PATH]
          Tenant A, at scale X (default 1 = issue 23's numbers; rounded, at least 1 each): 300·X stalled readers of long
          timelines (each reads 64 bytes and holds the response), 500·X event streams (read as they come), rounds of
          100·X concurrent completes of one direct upload (a 10 s recording, new participant each round, in a second
          study; A then cancels the round's job, which feeds the tarpit), 8·X staging spammers (direct uploads started, a 64 KiB blob
          written, never completed), 12·X uploaders of an M-second recording (default 600; 320x240, 25 fps, tone), each for
          a new participant, and 20 webhooks on a tarpit (accepts, never answers); A spreads over 8 keys and is held to
          1 of the 2 scoring slots (maxConcurrentJobs 1). A refused request is retried after its Retry-After.
          Tenant B, S seconds (default 60) idle, then S seconds under attack (after 15 s of it building up): 2 clients
          alternating lists and timelines (100 ms apart), an export every 6 s, an upload of a distinct 1-second WAV every
          2 s (scored), a webhook to a receiver that answers 204. Every limit is the shipped default. Exit code 0 only when
          every target is met. Needs EMI_PG*, EMI_AZURITE (. .local/env.sh), ffmpeg and a Release build of
          src/EmiPlatform.Api and src/EmiPlatform.Bench.
        """;

    private const int Slots = 2;
    private const int KeysOfA = 8;
    private const int WebhooksOfA = 20;
    private static readonly TimeSpan RampUp = TimeSpan.FromSeconds(15);

    public static async Task<int> RunAsync(BenchArguments options)
    {
        var scale = options.PositiveNumber("scale", 1);
        int Scaled(int n) => Math.Max(1, (int)Math.Round(n * scale));
        var (readers, streams, completes, spammers, mediaUploaders) = (Scaled(300), Scaled(500), Scaled(100), Scaled(8), Scaled(12));
        var phase = TimeSpan.FromSeconds(options.PositiveNumber("seconds", 60));
        var mediaSeconds = options.Int("media-seconds", 600);
        var apiDll = options.Text("api-dll", HostBinaries.Find("EmiPlatform.Api", "EmiPlatform.Api.dll"));
        var work = Path.Combine(Path.GetTempPath(), "emi-bench-neighbours");
        Directory.CreateDirectory(work);
        var media = await ScoringBenchmark.MakeRecordingAsync(work, 0, mediaSeconds);
        var roundMedia = await ScoringBenchmark.MakeRecordingAsync(work, 1, 10);

        await using var tarpit = WebhookEndpoint.Tarpit();
        await using var receiver = WebhookEndpoint.Receiver();
        var settings = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["Scoring:Concurrency"] = Slots.ToString(CultureInfo.InvariantCulture),
            // Both receivers listen on loopback.
            ["Webhooks:AllowPrivateNetworks"] = "true",
        };
        await using var api = await Platform.CreateAsync(Topology.Embedded, "bench", settings: settings);
        Console.WriteLine($"starting the API: dotnet {apiDll} (fresh database {api.Database.Name}, {Slots} scoring slots)");
        await api.StartApiAsync(apiDll);
        using var http = new HttpClient(new SocketsHttpHandler { PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30) })
        {
            BaseAddress = api.Http.BaseAddress,
            Timeout = TimeSpan.FromSeconds(30),
        };

        var b = await LoadBenchmark.PrepareAsync(http, api, "tenant B", uploaders: 2, recordings: 20, windows: 600);
        var a = await LoadBenchmark.PrepareAsync(http, api, "tenant A", uploaders: 1, recordings: 8, windows: 20_000);
        await SendAsync(http, api.AdminKey, HttpMethod.Put, $"v1/admin/tenants/{a.TenantId}", new { name = "tenant A", maxConcurrentJobs = 1 });
        var keysOfA = new List<string> { a.Key };
        for (var k = 1; k < KeysOfA; k++)
        {
            keysOfA.Add((await LoadBenchmark.PostAsync(http, a.Key, "v1/keys", new { name = $"a-{k}", role = "tenant_admin" })).GetProperty("secret").GetString()!);
        }
        var roundsStudy = (await LoadBenchmark.PostAsync(http, a.Key, "v1/studies", new { name = "tenant A rounds" })).GetProperty("id").GetGuid();
        for (var w = 0; w < WebhooksOfA; w++)
        {
            await LoadBenchmark.PostAsync(http, a.Key, "v1/webhooks", new { url = tarpit.Url });
        }
        await LoadBenchmark.PostAsync(http, b.Key, "v1/webhooks", new { url = receiver.Url });
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", b.Key);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"scale {scale}: tenant A {readers} stalled readers, {streams} event streams, {completes} completes per upload, {spammers} staging spammers, " +
            $"{mediaUploaders} uploaders of a {mediaSeconds} s recording, {WebhooksOfA} webhooks on a tarpit, {KeysOfA} keys, share 1 of {Slots} slots; " +
            $"tenant B 2 clients, {phase.TotalSeconds:F0} s idle then {phase.TotalSeconds:F0} s under attack; {Environment.ProcessorCount} cores"));

        var rss = new RssSeries(api.Api!.Pid);
        var flow = new TenantFlow(http, b);
        await flow.RunAsync(new LoadRecorder(), TimeSpan.FromSeconds(5)); // warm-up: JIT, pools, the first scoring job
        await WaitForJobsAsync(api, b.StudyId, flow.Uploaded);

        var loadIdle = LoadAverage.Now();
        var idleStart = await api.NowAsync();
        var idle = new LoadRecorder();
        var cpu = new CpuShare(api.Api!.Pid);
        await flow.RunAsync(idle, phase);
        var cpuIdle = cpu.Used();
        await WaitForJobsAsync(api, b.StudyId, flow.Uploaded);
        loadIdle += $" ({cpuIdle})";
        var rssBefore = rss.Mark("attack starts");
        using var peak = new ProcessRssSampler(api.Api!.Pid);

        var attackStart = await api.NowAsync();
        var loadAttack = LoadAverage.Now();
        var attack = new LoadRecorder();
        int holding;
        HostileTenant hostile;
        await using (hostile = HostileTenant.Start(api.Http.BaseAddress!, a, keysOfA, media, roundsStudy, roundMedia, readers, streams, completes, spammers, mediaUploaders))
        {
            await Task.Delay(RampUp);
            rss.Mark("B starts");
            var bStart = await api.NowAsync();
            cpu = new CpuShare(api.Api!.Pid);
            await flow.RunAsync(attack, phase);
            var cpuAttack = cpu.Used();
            loadAttack += $" ({cpuAttack})";
            holding = hostile.Holding;
            rss.Mark("B done");
            loadAttack += $" at the start, {LoadAverage.Now()} at the end";
            // B's jobs of the attack phase finish while A is still at it: their wait is measured under attack.
            await WaitForJobsAsync(api, b.StudyId, flow.Uploaded);
            attackStart = bStart;
        }
        rss.Mark("A stopped");
        peak.Dispose();
        var attackEnd = await api.NowAsync();
        await WaitForDeliveriesAsync(api, b.TenantId);
        rss.Dispose();

        var report = new NeighboursReport(api, a, b, idle, attack, hostile, tarpit, receiver);
        return await report.PrintAsync(scale, holding, rss, rssBefore, peak.Peak, (idleStart, attackStart, attackEnd), flow.Uploaded, loadIdle, loadAttack);
    }

    /// <summary>Waits (at most 5 minutes) until the study's jobs number <paramref name="expected"/> and none is queued or running.</summary>
    private static Task WaitForJobsAsync(Platform api, Guid studyId, int expected) =>
        api.WaitUntilAsync(async () => await api.ScalarAsync<long>(
                "SELECT count(*) FROM scoring_jobs WHERE study_id = $1 AND state NOT IN ('queued', 'running')", studyId) >= expected,
            TimeSpan.FromMinutes(5), $"tenant B's {expected} jobs to finish", TimeSpan.FromMilliseconds(200));

    /// <summary>Waits (at most 2 minutes) until none of the tenant's webhook deliveries is pending.</summary>
    private static async Task WaitForDeliveriesAsync(Platform api, Guid tenantId)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromMinutes(2) &&
               await api.ScalarAsync<long>("SELECT count(*) FROM webhook_deliveries WHERE tenant_id = $1 AND status = 'pending'", tenantId) > 0)
        {
            await Task.Delay(500);
        }
    }

    private static async Task SendAsync(HttpClient http, string key, HttpMethod method, string path, object body)
    {
        using var request = new HttpRequestMessage(method, path) { Content = JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using var response = await http.SendAsync(request);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{method} {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }
}
