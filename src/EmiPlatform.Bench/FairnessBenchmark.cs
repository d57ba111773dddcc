using System.Diagnostics;
using System.Globalization;

namespace EmiPlatform.Bench;

/// <summary>
/// <c>fairness</c> (issue 11 item 6, the fairness test on a larger run): on the cluster (API client, coordinator
/// silo, one scoring silo, RabbitMQ), tenant A queues N recordings while no scoring silo runs; the silo starts, then
/// tenant B uploads 5. Counted: how many of A's jobs completed between B's first upload and B's last completion,
/// against what first-in-first-out order would give (every A job still unfinished when B's first upload began), and
/// B's completion time against the time its jobs alone take (5 × the median run of a job in the same window).
/// </summary>
internal static class FairnessBenchmark
{
    public const string Usage = """
        usage: EmiPlatform.Bench fairness [--a N] [--b M] [--seconds S] [--repeat R]
          tenant A queues N recordings (default 400), tenant B then M (default 5), each a generated S-second WAV
          (default 2); R runs (default 1), each on a fresh cluster. The run stops at B's last completion.
        """;

    public static async Task<int> RunAsync(BenchArguments options)
    {
        var root = RepoRoot.Path;
        var a = options.Int("a", 400);
        var b = options.Int("b", 5);
        var seconds = options.Number("seconds", 2);
        var repeat = options.Int("repeat", 1);
        var results = new List<string>();
        for (var run = 1; run <= repeat; run++)
        {
            var line = $"run {run}: " + await MeasureAsync(root, a, b, seconds, run * 1_000_000);
            Console.WriteLine(line);
            results.Add(line);
        }
        Console.WriteLine();
        Console.WriteLine($"summary ({Environment.ProcessorCount} cores):");
        results.ForEach(r => Console.WriteLine("  " + r));
        return 0;
    }

    private static async Task<string> MeasureAsync(string root, int a, int b, double seconds, int seed)
    {
        await using var platform = await Platform.CreateAsync(Topology.Cluster, "bench", Path.Combine(root, "models", "reference-tiny"));
        await platform.StartClusterAsync(coordinators: 1, scoring: 0);
        var labA = await platform.CreateLabAsync("Lab A");
        var labB = await platform.CreateLabAsync("Lab B");
        var uploads = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, a), new ParallelOptions { MaxDegreeOfParallelism = 4 },
            async (i, ct) => await labA.UploadAsync(WavPayload.Noise(seconds, seed + i), $"a-{i}.wav", cancellationToken: ct));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  tenant A: {a} recordings uploaded in {uploads.Elapsed.TotalSeconds:F1} s; {LoadAverage.Now()}"));
        await platform.StartScoringSilosAsync(1);

        var load = LoadAverage.Now();
        var bStarted = await platform.NowAsync();
        await Parallel.ForEachAsync(Enumerable.Range(0, b), new ParallelOptions { MaxDegreeOfParallelism = 4 },
            async (i, ct) => await labB.UploadAsync(WavPayload.Noise(seconds, seed + a + i), $"b-{i}.wav", cancellationToken: ct));
        await platform.WaitUntilAsync(async () => await platform.JobsAsync(labB.StudyId, "succeeded") == b, TimeSpan.FromMinutes(15),
            "tenant B's jobs to succeed", TimeSpan.FromMilliseconds(50));
        var bFinished = await platform.ScalarAsync<DateTime>("SELECT max(finished_at) FROM scoring_jobs WHERE study_id = $1", labB.StudyId);
        var aDuring = await platform.ScalarAsync<long>(
            "SELECT count(*) FROM scoring_jobs WHERE study_id = $1 AND finished_at > $2 AND finished_at <= $3", labA.StudyId, bStarted, bFinished);
        var fifo = await platform.ScalarAsync<long>(
            "SELECT count(*) FROM scoring_jobs WHERE study_id = $1 AND (finished_at IS NULL OR finished_at > $2)", labA.StudyId, bStarted);
        var runs = (await platform.RowsAsync(
                "SELECT extract(epoch FROM finished_at - started_at) FROM scoring_jobs WHERE state = 'succeeded' AND finished_at > $1 AND finished_at <= $2",
                bStarted, bFinished))
            .Select(r => Convert.ToDouble(r[0], CultureInfo.InvariantCulture)).Order().ToArray();
        var bTime = (bFinished - bStarted).TotalSeconds;
        var alone = b * SchedulingBenchmark.Percentile(runs, 50);
        var shares = await platform.RowsAsync("SELECT max_concurrent_jobs FROM tenants WHERE id = ANY($1)", new[] { labA.TenantId, labB.TenantId });
        return string.Create(CultureInfo.InvariantCulture,
            $"A's jobs completed between B's first upload and B's last completion: {aDuring}; FIFO would give {fifo} (A's jobs unfinished at B's first upload, of {a}); " +
            $"ratio {(double)aDuring / fifo:F3}; B's {b} jobs done {bTime:F2} s after its first upload, their scoring alone ≈ {alone:F2} s " +
            $"({b} × median run {SchedulingBenchmark.Percentile(runs, 50):F3} s), B time / alone {bTime / alone:F1}; " +
            $"shares: {(shares.All(r => r[0] is DBNull) ? "the cluster's slots (default)" : string.Join('/', shares.Select(r => r[0])))}; at B's first upload {load}, at the end {LoadAverage.Now()}");
    }
}
