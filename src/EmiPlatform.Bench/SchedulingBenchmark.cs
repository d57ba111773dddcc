using System.Globalization;

namespace EmiPlatform.Bench;

/// <summary>
/// <c>scheduling-overhead</c> (issue 11 item 6): what the coordination path costs a job — from its upload registered
/// (the job row committed with the recording, <c>scoring_jobs.created_at</c>) to its claim by a scoring silo
/// (<c>started_at</c>): the study grain, the tenant grain's release, the transport and the claim. Uploads go one at a
/// time, each after the previous job finished, so the silo is idle and waiting: no job queues behind another. The
/// baseline, measured on the same jobs, is their own scoring time (claim → timeline committed).
/// </summary>
internal static class SchedulingBenchmark
{
    public const string Usage = """
        usage: EmiPlatform.Bench scheduling-overhead [--jobs K] [--seconds S] [--warm-up W] [--topologies cluster,embedded] [--repeat R]
          K jobs (default 100), each a generated S-second WAV (default 2) uploaded after the previous job succeeded;
          W (default 10) are uploaded and scored first, unmeasured. Topologies as in scoring-compare (default both).
          Prints median, p90, p99 and max of upload registered → job claimed (ms), the median claim → succeeded,
          their ratio, and the load average. Needs . .local/env.sh and a Release build (see scoring-compare).
        """;

    public static async Task<int> RunAsync(BenchArguments options)
    {
        var root = RepoRoot.Path;
        var jobs = options.Int("jobs", 100);
        var seconds = options.Number("seconds", 2);
        var warmUp = options.Int("warm-up", 10);
        var repeat = options.Int("repeat", 1);
        var bundle = Path.Combine(root, "models", "reference-tiny");
        var results = new List<string>();
        for (var run = 1; run <= repeat; run++)
        {
            foreach (var topology in options.Topologies("cluster,embedded"))
            {
                await using var platform = await Platform.CreateAsync(topology, "bench", bundle);
                await platform.StartAsync();
                var lab = await platform.CreateLabAsync("Scheduling lab");
                var seed = run * 100_000;
                for (var i = 0; i < warmUp; i++)
                {
                    await UploadAndWaitAsync(platform, lab, WavPayload.Noise(seconds, seed++));
                }
                var measured = new List<Guid>();
                var load = LoadAverage.Now();
                for (var i = 0; i < jobs; i++)
                {
                    measured.Add(await UploadAndWaitAsync(platform, lab, WavPayload.Noise(seconds, seed++)));
                }
                var rows = await platform.RowsAsync("""
                    SELECT extract(epoch FROM j.started_at - j.created_at) * 1000, extract(epoch FROM j.started_at - r.created_at) * 1000,
                           extract(epoch FROM j.finished_at - j.started_at) * 1000
                    FROM scoring_jobs j JOIN recordings r ON r.id = j.recording_id WHERE j.recording_id = ANY($1)
                    """, measured.ToArray());
                var fromJob = rows.Select(r => Convert.ToDouble(r[0], CultureInfo.InvariantCulture)).Order().ToArray();
                var fromRecording = rows.Select(r => Convert.ToDouble(r[1], CultureInfo.InvariantCulture)).Order().ToArray();
                var scoring = rows.Select(r => Convert.ToDouble(r[2], CultureInfo.InvariantCulture)).Order().ToArray();
                var what = topology == Topology.Cluster ? "cluster (API client, coordinator silo, scoring silo, RabbitMQ)" : "embedded (one process, in-memory transport)";
                var line = string.Create(CultureInfo.InvariantCulture,
                    $"run {run}, {what}: upload registered → claimed over {fromJob.Length} jobs: median {Percentile(fromJob, 50):F1} ms, " +
                    $"p90 {Percentile(fromJob, 90):F1}, p99 {Percentile(fromJob, 99):F1}, max {fromJob[^1]:F1} " +
                    $"(from recordings.created_at: median {Percentile(fromRecording, 50):F1}, p99 {Percentile(fromRecording, 99):F1}); " +
                    $"baseline claim → succeeded median {Percentile(scoring, 50):F1} ms; overhead / scoring {Percentile(fromJob, 50) / Percentile(scoring, 50):F2}; " +
                    $"at start {load}, at end {LoadAverage.Now()}");
                Console.WriteLine(line);
                results.Add(line);
            }
        }
        Console.WriteLine();
        Console.WriteLine($"summary ({Environment.ProcessorCount} cores):");
        results.ForEach(r => Console.WriteLine("  " + r));
        return 0;
    }

    private static async Task<Guid> UploadAndWaitAsync(Platform platform, Lab lab, byte[] wav)
    {
        var recording = await lab.UploadAsync(wav, "noise.wav");
        await platform.WaitUntilAsync(async () => await platform.ScalarAsync<long>(
                "SELECT count(*) FROM scoring_jobs WHERE recording_id = $1 AND state = 'succeeded'", recording) == 1,
            TimeSpan.FromSeconds(120), $"the job of recording {recording}", TimeSpan.FromMilliseconds(20));
        return recording;
    }

    /// <summary>Nearest-rank percentile of sorted values.</summary>
    public static double Percentile(double[] sorted, double percent) =>
        sorted[Math.Clamp((int)Math.Ceiling(percent / 100 * sorted.Length) - 1, 0, sorted.Length - 1)];
}
