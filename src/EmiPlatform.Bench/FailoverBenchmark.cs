using System.Globalization;
using EmiPlatform.Abstractions.Studies;
using EmiPlatform.Abstractions.Tenants;
using Orleans.Configuration;

namespace EmiPlatform.Bench;

/// <summary>
/// <c>failover-gap</c> (issue 11 item 6): a study's run is under way on the cluster (API client, two coordinator
/// silos, one scoring silo, RabbitMQ); the silo hosting the study grain is SIGKILLed; the gap is the time from the
/// kill to the next claim of one of that study's jobs that was not already released when the silo died — that job
/// needed the grains again, on the surviving coordinator. How fast the cluster declares the silo dead is Orleans's
/// membership protocol, so the figure is measured under Orleans's defaults and under the faster settings the tests use;
/// the baseline, from the same run, is the gap between consecutive claims before the kill.
/// </summary>
internal static class FailoverBenchmark
{
    public const string Usage = """
        usage: EmiPlatform.Bench failover-gap [--membership defaults,fast] [--repeat R] [--recordings Q] [--seconds S]
          Q queued recordings (default 30) of S seconds (default 3, generated WAV) in one study; the scoring silo
          starts once they are in; after 3 have succeeded, the silo hosting the study grain is killed right after a claim.
          defaults: Orleans's ClusterMembershipOptions as shipped; fast: probe every 1 s, 2 missed probes, 1 vote,
          table refresh 2 s (the scale-out tests' settings). R runs each (default 2), each on a fresh cluster.
          Prints the membership settings, when the dead silo was declared dead, the gap (s) and the load average.
        """;

    private static readonly Dictionary<string, Dictionary<string, string>> Profiles = new(StringComparer.Ordinal)
    {
        ["defaults"] = [],
        ["fast"] = new(Platform.FastFailureDetection),
    };

    public static async Task<int> RunAsync(BenchArguments options)
    {
        var root = RepoRoot.Path;
        var repeat = options.Int("repeat", 2);
        var recordings = options.Int("recordings", 30);
        var seconds = options.Number("seconds", 3);
        var bundle = Path.Combine(root, "models", "reference-tiny");
        var results = new List<string>();
        foreach (var profile in options.List("membership", "defaults,fast"))
        {
            var settings = Profiles.TryGetValue(profile, out var s) ? s : throw new ArgumentException($"--membership: defaults or fast, not '{profile}'");
            Console.WriteLine($"membership '{profile}': {Describe(settings)}");
            for (var run = 1; run <= repeat; run++)
            {
                var line = $"{profile}, run {run}: " + await MeasureAsync(bundle, settings, recordings, seconds, seed: run * 1000);
                Console.WriteLine(line);
                results.Add(line);
            }
        }
        Console.WriteLine();
        Console.WriteLine($"summary ({Environment.ProcessorCount} cores):");
        foreach (var (name, settings) in Profiles)
        {
            Console.WriteLine($"  membership '{name}': {Describe(settings)}");
        }
        results.ForEach(r => Console.WriteLine("  " + r));
        return 0;
    }

    private static async Task<string> MeasureAsync(string bundle, Dictionary<string, string> settings, int count, double seconds, int seed)
    {
        // The platform's own Information lines (undelivered calls sent again, reminders, releases) explain a gap.
        await using var platform = await Platform.CreateAsync(Topology.Cluster, "bench", bundle,
            new Dictionary<string, string>(settings) { ["Logging:LogLevel:EmiPlatform"] = "Information" });
        await using var locator = new GrainLocator(platform);
        // Two coordinators (one is the standby), no scoring silo yet: the run is queued whole first.
        await platform.StartClusterAsync(coordinators: 2, scoring: 0);
        var lab = await platform.CreateLabAsync("Failover lab");
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 4 },
            async (i, ct) => await lab.UploadAsync(WavPayload.Noise(seconds, seed + i), $"noise-{i}.wav", cancellationToken: ct));
        await platform.StartScoringSilosAsync(1);
        await platform.WaitUntilAsync(async () => await platform.JobsAsync(lab.StudyId, "succeeded") >= 3, TimeSpan.FromSeconds(180), "the first jobs to succeed");

        var host = await locator.HostOfAsync(grains => grains.GetGrain<IStudyGrain>(lab.StudyId)) ?? throw new InvalidOperationException("the study grain is not active on any silo");
        if (host.Roles != "coordinator")
        {
            throw new InvalidOperationException($"the study grain runs on a {host.Roles} silo");
        }
        // Right after a claim: the tenant's share (one slot) is then taken by that running job, and nothing else is
        // released, so the next claim needs the grains.
        var claims = await platform.JobsAsync(lab.StudyId, "succeeded") + await platform.JobsAsync(lab.StudyId, "running");
        await platform.WaitUntilAsync(async () => await platform.JobsAsync(lab.StudyId, "succeeded") + await platform.JobsAsync(lab.StudyId, "running") > claims
                                                  && await platform.JobsAsync(lab.StudyId, "running") == 1,
            TimeSpan.FromSeconds(120), "a fresh claim", TimeSpan.FromMilliseconds(10));
        var load = LoadAverage.Now();
        var tenantHost = await locator.HostOfAsync(grains => grains.GetGrain<ITenantGrain>(lab.TenantId));
        var inFlight = (await platform.RowsAsync(
                "SELECT id FROM scoring_jobs WHERE study_id = $1 AND (state = 'running' OR (state = 'queued' AND lease_expires_at > now()))", lab.StudyId))
            .Select(r => (Guid)r[0]).ToArray();
        host.Kill();
        var killedAt = await platform.NowAsync();

        DateTime? declaredDead = null;
        await platform.WaitUntilAsync(async () =>
        {
            if (declaredDead is null && await platform.SiloStatusAsync(host) == 6)
            {
                declaredDead = await platform.NowAsync();
            }
            return await platform.ScalarAsync<long>(
                "SELECT count(*) FROM scoring_jobs WHERE study_id = $1 AND started_at > $2 AND NOT (id = ANY($3))", lab.StudyId, killedAt, inFlight) > 0;
        }, TimeSpan.FromMinutes(8), "the next job of the study to be claimed after the kill", TimeSpan.FromMilliseconds(50));
        var next = await platform.ScalarAsync<DateTime>(
            "SELECT min(started_at) FROM scoring_jobs WHERE study_id = $1 AND started_at > $2 AND NOT (id = ANY($3))", lab.StudyId, killedAt, inFlight);
        var finishedInFlight = await platform.RowsAsync("SELECT max(finished_at) FROM scoring_jobs WHERE id = ANY($1)", inFlight);
        var before = (await platform.RowsAsync(
                "SELECT extract(epoch FROM started_at - lag(started_at) OVER (ORDER BY started_at)) FROM scoring_jobs WHERE study_id = $1 AND started_at < $2",
                lab.StudyId, killedAt))
            .Where(r => r[0] is not DBNull).Select(r => Convert.ToDouble(r[0], CultureInfo.InvariantCulture)).Order().ToArray();
        var successor = await locator.HostOfAsync(grains => grains.GetGrain<IStudyGrain>(lab.StudyId));
        var gap = (next - killedAt).TotalSeconds;
        var logs = platform.SaveLogs(Path.Combine(Path.GetTempPath(), "emi-bench-failover", $"{DateTime.UtcNow:yyyyMMdd-HHmmss}"));
        var baseline = before.Length > 0 ? SchedulingBenchmark.Percentile(before, 50) : double.NaN;
        return string.Create(CultureInfo.InvariantCulture,
            $"kill → next job claimed {gap:F2} s; declared dead after {(declaredDead is { } d ? $"{(d - killedAt).TotalSeconds:F2} s" : "(not seen before the claim)")}; " +
            $"in flight at the kill: {inFlight.Length} (finished {(finishedInFlight[0][0] is DateTime f ? $"{(f - killedAt).TotalSeconds:F2} s after the kill" : "not yet")}); " +
            $"baseline claim → claim before the kill: median {baseline:F2} s over {before.Length}; gap / baseline {gap / baseline:F0}; " +
            $"study grain now on {(successor is null ? "no silo" : $"the {successor.Roles} silo pid {successor.Pid}")} (killed pid {host.Pid}); the tenant grain was on {(tenantHost == host ? "the killed silo too" : "the other coordinator")}; at the kill {load}; host logs in {logs}");
    }

    /// <summary>The membership settings that matter for noticing a dead silo: Orleans's defaults, and what the profile sets.</summary>
    private static string Describe(Dictionary<string, string> settings)
    {
        var defaults = new ClusterMembershipOptions();
        var gateway = new GatewayOptions();
        string Value(string key, object fallback) => settings.TryGetValue(key, out var set) ? set + " (set)" : Convert.ToString(fallback, CultureInfo.InvariantCulture) + " (default)";
        return string.Join(", ",
            $"ProbeTimeout {Value("Orleans:Membership:ProbeTimeout", defaults.ProbeTimeout)}",
            $"NumMissedProbesLimit {Value("Orleans:Membership:NumMissedProbesLimit", defaults.NumMissedProbesLimit)}",
            $"NumVotesForDeathDeclaration {Value("Orleans:Membership:NumVotesForDeathDeclaration", defaults.NumVotesForDeathDeclaration)}",
            $"NumProbedSilos {Value("Orleans:Membership:NumProbedSilos", defaults.NumProbedSilos)}",
            $"DeathVoteExpirationTimeout {Value("Orleans:Membership:DeathVoteExpirationTimeout", defaults.DeathVoteExpirationTimeout)}",
            $"TableRefreshTimeout {Value("Orleans:Membership:TableRefreshTimeout", defaults.TableRefreshTimeout)}",
            $"IAmAliveTablePublishTimeout {Value("Orleans:Membership:IAmAliveTablePublishTimeout", defaults.IAmAliveTablePublishTimeout)}",
            $"client GatewayListRefreshPeriod {Value("Orleans:Gateway:GatewayListRefreshPeriod", gateway.GatewayListRefreshPeriod)}");
    }
}
