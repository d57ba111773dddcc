using System.Globalization;

namespace EmiPlatform.Bench;

/// <summary>What the <c>neighbours</c> benchmark prints, from its recorders and the database; each target as PASS or FAIL.</summary>
internal sealed class NeighboursReport(
    Platform api, LoadBenchmark.Lab a, LoadBenchmark.Lab b, LoadRecorder idle, LoadRecorder attack, HostileTenant hostile,
    WebhookEndpoint tarpit, WebhookEndpoint receiver)
{
    private const double P99RatioTarget = 3;
    private const double RssGrowthTargetMb = 300;
    private const int ShareOfA = 1;
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private readonly List<string> _failed = [];

    private sealed record Job(DateTime Created, DateTime? Started, DateTime? Finished, string State)
    {
        public double Wait => ((Started ?? DateTime.UtcNow) - Created).TotalMilliseconds;

        public double Total => ((Finished ?? DateTime.UtcNow) - Created).TotalMilliseconds;
    }

    public async Task<int> PrintAsync(double scale, int holding, RssSeries rss, long rssBefore, long rssPeak,
        (DateTime Idle, DateTime Attack, DateTime End) windows, int uploaded, string loadIdle, string loadAttack)
    {
        Console.WriteLine();
        Console.WriteLine(string.Create(Inv, $"neighbours, scale {scale}; {Environment.ProcessorCount} cores; idle phase: {loadIdle}; attack: {loadAttack}"));
        PrintLatencies();
        await PrintJobsAsync(windows);
        PrintFailures(holding);
        PrintRss(rss, rssBefore, rssPeak);
        await PrintLossesAsync(uploaded);
        Console.WriteLine(_failed.Count == 0 ? "neighbours: every target met" : $"neighbours: FAIL ({string.Join("; ", _failed)})");
        return _failed.Count == 0 ? 0 : 1;
    }

    private void Check(bool pass, string what)
    {
        if (!pass)
        {
            _failed.Add(what);
        }
    }

    private static string Verdict(bool pass) => pass ? "PASS" : "FAIL";

    private void PrintLatencies()
    {
        Console.WriteLine("tenant B's requests (429s apart, not in the latencies):");
        Console.WriteLine($"  {"group",-9} {"idle n",7} {"idle p50",9} {"idle p99",9} {"attack n",9} {"atk p50",9} {"atk p99",9} {"p99 attack/idle",16}");
        foreach (var group in idle.Groups.Union(attack.Groups).Order(StringComparer.Ordinal))
        {
            var (i50, i99, iN) = idle.Latency(group);
            var (a50, a99, aN) = attack.Latency(group);
            var ratio = a99 / i99;
            var pass = ratio <= P99RatioTarget;
            Check(pass, $"B's {group} p99 ratio {ratio:F1}");
            Console.WriteLine(string.Create(Inv,
                $"  {group,-9} {iN,7} {i50,7:F1}ms {i99,7:F1}ms {aN,9} {a50,7:F1}ms {a99,7:F1}ms {ratio,11:F2} {Verdict(pass)}"));
        }
        Console.WriteLine($"  outcomes idle: {idle.Outcomes}; under attack: {attack.Outcomes}");
    }

    private async Task PrintJobsAsync((DateTime Idle, DateTime Attack, DateTime End) windows)
    {
        var idleJobs = await JobsAsync(b.TenantId, windows.Idle, windows.Attack);
        var attackJobs = await JobsAsync(b.TenantId, windows.Attack, windows.End);
        var aJobs = await JobsAsync(a.TenantId, windows.Idle, DateTime.MaxValue);
        if (idleJobs.Count == 0 || attackJobs.Count == 0)
        {
            Check(false, "B has no scored job in a phase");
            Console.WriteLine($"tenant B's jobs: {idleJobs.Count} idle, {attackJobs.Count} under attack");
            return;
        }
        // The share bound: A never has more than its share released, so the FIFO transport holds at most that many of
        // A's jobs ahead of one of B's; A's jobs claimed while a B job waited must not exceed it.
        var ahead = attackJobs.Select(j => aJobs.Count(x => x.Started > j.Created && x.Started <= (j.Started ?? DateTime.MaxValue))).ToList();
        var (firstIdle, firstAttack) = (idleJobs[0], attackJobs[0]);
        var shareOk = ahead.Max() <= ShareOfA;
        Check(shareOk, $"{ahead.Max()} of A's jobs claimed ahead of one of B's (share {ShareOfA})");
        Console.WriteLine(string.Create(Inv, $"""
            tenant B's jobs (upload committed → claimed = wait; → finished = score):
              idle: {idleJobs.Count} jobs, first wait {firstIdle.Wait:F0} ms, wait p50 {P(idleJobs, j => j.Wait, 50):F0} ms p99 {P(idleJobs, j => j.Wait, 99):F0} ms, score p99 {P(idleJobs, j => j.Total, 99):F0} ms
              under attack: {attackJobs.Count} jobs, first wait {firstAttack.Wait:F0} ms, wait p50 {P(attackJobs, j => j.Wait, 50):F0} ms p99 {P(attackJobs, j => j.Wait, 99):F0} ms, score p99 {P(attackJobs, j => j.Total, 99):F0} ms
              first-job wait attack / idle {firstAttack.Wait / firstIdle.Wait:F2}; wait p99 attack / idle {P(attackJobs, j => j.Wait, 99) / P(idleJobs, j => j.Wait, 99):F2}; score p99 attack / idle {P(attackJobs, j => j.Total, 99) / P(idleJobs, j => j.Total, 99):F2}
              share bound: A's jobs claimed while one of B's waited: first job {ahead[0]}, at most {ahead.Max()} (A's share {ShareOfA} of 2 slots) {Verdict(shareOk)}
              tenant A's jobs meanwhile: {aJobs.Count(j => j.Started is not null)} claimed, {aJobs.Count(j => j.Finished is not null)} finished ({string.Join(", ", aJobs.GroupBy(j => j.State).Select(g => $"{g.Key} {g.Count()}"))})
            """));
    }

    private void PrintFailures(int holding)
    {
        var bFailures = idle.ServerErrors + idle.Unanswered + attack.ServerErrors + attack.Unanswered;
        var aFailures = hostile.Recorders.Sum(r => r.Recorder.ServerErrors + r.Recorder.Unanswered);
        Check(bFailures + aFailures == 0, $"{bFailures} of B's and {aFailures} of A's requests 5xx or unanswered");
        Console.WriteLine($"5xx and unanswered: tenant B {idle.ServerErrors + attack.ServerErrors} 5xx, {idle.Unanswered + attack.Unanswered} unanswered; " +
                          $"tenant A {hostile.Recorders.Sum(r => r.Recorder.ServerErrors)} 5xx, {hostile.Recorders.Sum(r => r.Recorder.Unanswered)} unanswered {Verdict(bFailures + aFailures == 0)}");
        Console.WriteLine($"tenant A's requests by workload (refusals expected; {holding} streamed responses held when B finished):");
        foreach (var (workload, recorder) in hostile.Recorders)
        {
            Console.WriteLine($"  {workload}: {recorder.Requests} requests; {recorder.Outcomes}");
        }
        foreach (var error in hostile.Recorders.Select(r => r.Recorder).Prepend(attack).Prepend(idle).SelectMany(r => r.FirstErrors))
        {
            Console.WriteLine($"  first error of its kind: {error}");
        }
        Console.WriteLine($"  storage writes to upload URLs that failed (Azurite, not the API): {hostile.StorageFailures}");
    }

    private void PrintRss(RssSeries rss, long before, long peak)
    {
        var samples = rss.Samples;
        var start = samples[0].At;
        var shown = samples.Where((s, i) => s.Mark is not null || i % 5 == 0)
            .Select(s => string.Create(Inv, $"{(s.At - start).TotalSeconds:F0}s {s.Bytes / 1e6:F0}{(s.Mark is null ? "" : $" ({s.Mark})")}"));
        var growth = (peak - before) / 1e6;
        var pass = growth <= RssGrowthTargetMb;
        Check(pass, $"API RSS grew {growth:F0} MB");
        Console.WriteLine($"API RSS (MB) over time: {string.Join(", ", shown)}");
        Console.WriteLine(string.Create(Inv,
            $"API RSS growth under attack: peak {peak / 1e6:F0} MB - {before / 1e6:F0} MB at the attack's start = {growth:F0} MB (target ≤ {RssGrowthTargetMb:F0}) {Verdict(pass)}; at the end {samples[^1].Bytes / 1e6:F0} MB"));
    }

    private async Task PrintLossesAsync(int uploaded)
    {
        var bJobs = await api.RowsAsync("SELECT state, count(*) FROM scoring_jobs WHERE study_id = $1 GROUP BY state", b.StudyId);
        var bSucceeded = bJobs.Where(r => (string)r[0] == "succeeded").Sum(r => (long)r[1]);
        var bDeliveries = await DeliveriesAsync(b.TenantId);
        var bUndelivered = bDeliveries.GetValueOrDefault("pending") + bDeliveries.GetValueOrDefault("failed");
        var aDeliveries = await DeliveriesAsync(a.TenantId);
        var twice = hostile.CompletedUploads.Count(u => u.Value.Created > 1);
        var answered = hostile.AnsweredRecordings.Distinct().ToArray();
        var rows = await api.ScalarAsync<long>("SELECT count(*) FROM recordings WHERE id = ANY($1)", answered);
        var lost = (uploaded - bSucceeded) + bUndelivered + twice + (answered.Length - rows);
        Check(lost == 0, "something lost");
        Console.WriteLine($"""
            nothing lost: {Verdict(lost == 0)}
              tenant B: {uploaded} uploads answered 2xx, jobs {string.Join(", ", bJobs.Select(r => $"{r[0]} {r[1]}"))}; webhook deliveries {Show(bDeliveries)} (receiver answered {receiver.Answered})
              tenant A: {hostile.CompletedUploads.Count} direct uploads completed by rounds of concurrent completes, {twice} answered 201 more than once; {answered.Length} recordings answered 2xx (completes and media uploads), {rows} in the database
              tenant A's webhook deliveries (tarpit, {tarpit.Connections} connections accepted, none answered): {Show(aDeliveries)}
            """);
    }

    /// <summary>The tenant's jobs queued in [<paramref name="from"/>, <paramref name="to"/>), oldest first.</summary>
    private async Task<List<Job>> JobsAsync(Guid tenantId, DateTime from, DateTime to) =>
        [.. (await api.RowsAsync("SELECT created_at, started_at, finished_at, state FROM scoring_jobs WHERE study_id IN (SELECT id FROM studies WHERE tenant_id = $1) " +
                "AND created_at >= $2 AND created_at < $3 ORDER BY created_at", tenantId, from, to))
            .Select(r => new Job((DateTime)r[0], r[1] as DateTime?, r[2] as DateTime?, (string)r[3]))];

    private async Task<Dictionary<string, long>> DeliveriesAsync(Guid tenantId) =>
        (await api.RowsAsync("SELECT status, count(*) FROM webhook_deliveries WHERE tenant_id = $1 GROUP BY status", tenantId))
        .ToDictionary(r => (string)r[0], r => (long)r[1]);

    private static string Show(Dictionary<string, long> counts) =>
        counts.Count == 0 ? "none" : string.Join(", ", counts.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key} {c.Value}"));

    private static double P(List<Job> jobs, Func<Job, double> value, double percentile) =>
        SchedulingBenchmark.Percentile([.. jobs.Select(value).Order()], percentile);
}
