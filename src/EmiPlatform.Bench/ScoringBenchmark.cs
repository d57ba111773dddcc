using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace EmiPlatform.Bench;

/// <summary>
/// <c>scoring-compare</c> (issues 6 and 11): end-to-end scoring throughput — recording-seconds per wall second from the
/// first upload to the last timeline committed — through the platform's grains and scoring silo(s), as a ratio to
/// <c>emi score</c> run directly on the same files just before it. Topologies: <c>cluster</c> (API host as an Orleans
/// client, one coordinator silo, N scoring silos, RabbitMQ) and <c>embedded</c> (one API process that is its own
/// silo). Every process is the built binary, on a fresh database, blob container, queue prefix and cluster id.
/// See docs/scoring.md.
/// </summary>
internal static class ScoringBenchmark
{
    public const string Usage = """
        usage: EmiPlatform.Bench scoring-compare [--recordings N] [--seconds S] [--topologies cluster,embedded] [--silos K]
                                                 [--warm-up W] [--repeat R] [--bundle DIR] [--work-dir DIR]
          N generated recordings (default 8) of S seconds (default 20): 320x240 test pattern at 25 fps with a tone.
          cluster: API host (Orleans client) + one coordinator silo + K scoring silos (default 1) on RabbitMQ;
          embedded: one API process with the coordinator and scoring roles, in-memory transport. Default: cluster.
          W recordings (default 0) are uploaded and scored before the clock starts, so the hosts are measured warm
          (JIT-compiled, bundle loaded) as a long-running service is, instead of just started.
          R (default 1): each topology R times, each time after its own `emi score` run.
          Prints the machine's busy core-seconds per process group, each job's upload / claim / finish times and the
          load average. Needs EMI_PG*, EMI_AZURITE, EMI_RABBITMQ (. .local/env.sh) and a Release build
          (dotnet build -c Release src/EmiPlatform.Api src/EmiPlatform.Silo src/EmiPlatform.Cli src/EmiPlatform.Bench).
        """;

    public static async Task<int> RunAsync(BenchArguments options)
    {
        var root = RepoRoot.Path;
        var count = options.Int("recordings", 8);
        var seconds = options.Int("seconds", 20);
        var topologies = options.Topologies("cluster");
        var silos = options.Int("silos", 1);
        var repeat = options.Int("repeat", 1);
        var bundle = Path.GetFullPath(options.Text("bundle", Path.Combine(root, "models", "reference-tiny")));
        var warmUpCount = options.Int("warm-up", 0);
        var work = options.Text("work-dir", Path.Combine(Path.GetTempPath(), "emi-bench-scoring"));
        Directory.CreateDirectory(work);

        var files = new List<string>();
        for (var i = 0; i < count; i++)
        {
            files.Add(await MakeRecordingAsync(work, i, seconds));
        }
        var warmUp = new List<string>();
        for (var i = 0; i < warmUpCount; i++)
        {
            warmUp.Add(await MakeRecordingAsync(work, count + i, seconds));
        }
        Console.WriteLine($"{count} recordings of {seconds} s (320x240 25 fps video + 16 kHz tone) in {work}; bundle {bundle}; warm-up {warmUpCount}");

        var results = new List<string>();
        for (var run = 1; run <= repeat; run++)
        {
            foreach (var topology in topologies)
            {
                var direct = await DirectAsync(bundle, files, work);
                var endToEnd = await EndToEndAsync(files, topology, silos, bundle, warmUp);
                var what = topology == Topology.Cluster ? $"cluster, {silos} scoring silo(s)" : "embedded";
                var line = string.Create(CultureInfo.InvariantCulture,
                    $"run {run}, {what}: end-to-end {endToEnd.Rate:F2} rec-s/s ({endToEnd.Seconds:F1} rec-s in {endToEnd.Wall:F2} s, last upload done at {endToEnd.UploadWall:F2} s, " +
                    $"machine busy {endToEnd.CpuSeconds:F2} core-s); emi score direct {direct.Rate:F2} rec-s/s ({direct.Wall:F2} s, busy {direct.CpuSeconds:F2} core-s); " +
                    $"ratio {endToEnd.Rate / direct.Rate:F2}; {LoadAverage.Now()}");
                Console.WriteLine(line);
                results.Add(line);
            }
        }
        Console.WriteLine();
        Console.WriteLine($"summary ({Environment.ProcessorCount} cores):");
        results.ForEach(r => Console.WriteLine("  " + r));
        return 0;
    }

    private const int UploadParallelism = 4;

    private sealed record Measurement(double Seconds, double Wall, double CpuSeconds, double UploadWall = 0)
    {
        public double Rate => Seconds / Wall;
    }

    private static async Task<Measurement> DirectAsync(string bundle, List<string> files, string work)
    {
        var emi = HostBinaries.Find("EmiPlatform.Cli", "emi.dll");
        var output = Path.Combine(work, "direct.csv");
        var arguments = new List<string> { emi, "score", "-m", bundle, "-o", output, "--no-progress" };
        arguments.AddRange(files);
        var cpu = MachineCpu.BusySeconds();
        var stopwatch = Stopwatch.StartNew();
        var (code, log) = await RunToEndAsync("dotnet", arguments, new Dictionary<string, string>());
        stopwatch.Stop();
        cpu = MachineCpu.BusySeconds() - cpu;
        if (code != 0)
        {
            throw new InvalidOperationException($"emi score failed ({code}): {log}");
        }
        var total = 0.0;
        foreach (var file in files)
        {
            total += await DurationAsync(file);
        }
        return new Measurement(total, stopwatch.Elapsed.TotalSeconds, cpu);
    }

    private static async Task<Measurement> EndToEndAsync(List<string> files, Topology topology, int silos, string bundle, List<string> warmUp)
    {
        await using var platform = await Platform.CreateAsync(topology, "bench", bundle);
        // Long-running services: their start-up is not part of a recording's way to its timeline.
        await platform.StartAsync(scoringSilos: silos);

        var lab = await platform.CreateLabAsync("Bench lab");
        if (warmUp.Count > 0)
        {
            // A service that has scored before: the upload path, the grains and the silo's bundle and pipeline are warm.
            await Parallel.ForEachAsync(warmUp, new ParallelOptions { MaxDegreeOfParallelism = UploadParallelism },
                async (file, ct) => await lab.UploadFileAsync(file, "video/mp4", ct));
            await platform.WaitUntilAsync(async () => await platform.JobsAsync(lab.StudyId, "succeeded") == warmUp.Count,
                TimeSpan.FromMinutes(10), "the warm-up jobs to succeed");
            Console.WriteLine($"  warmed up: {warmUp.Count} recording(s) uploaded and scored before the clock starts");
        }
        var measured = lab with { ParticipantId = await lab.AddParticipantAsync("B01") };

        // As a lab uploads a folder: `emi upload`'s default of 4 files at once.
        var started = DateTimeOffset.UtcNow;
        var cpu = MachineCpu.BusySeconds();
        var hostCpu = platform.Hosts.ToDictionary(h => h, CpuSeconds);
        var stopwatch = Stopwatch.StartNew();
        await Parallel.ForEachAsync(files, new ParallelOptions { MaxDegreeOfParallelism = UploadParallelism },
            async (file, ct) => await measured.UploadFileAsync(file, "video/mp4", ct));
        var uploaded = stopwatch.Elapsed.TotalSeconds;
        await platform.WaitUntilAsync(async () => await platform.JobsAsync(lab.StudyId, "succeeded") == files.Count + warmUp.Count,
            TimeSpan.FromMinutes(20), "every job to succeed");
        stopwatch.Stop();
        cpu = MachineCpu.BusySeconds() - cpu;
        var groups = platform.Hosts.GroupBy(h => h.Roles).Select(g => (g.Key, Seconds: g.Sum(h => CpuSeconds(h) - hostCpu[h]))).ToList();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  busy core-s: all {cpu:F2}, {string.Join(", ", groups.Select(g => $"{g.Key} + its ffprobe/ffmpeg {g.Seconds:F2}"))}, " +
            $"rest (PostgreSQL, RabbitMQ, Azurite, this bench, other work) {cpu - groups.Sum(g => g.Seconds):F2}"));
        var total = await platform.ScalarAsync<double>("SELECT sum(duration_seconds) FROM recordings WHERE participant_id = $1", measured.ParticipantId);
        await PrintJobTimesAsync(platform.Superuser, measured.ParticipantId, started);
        return new Measurement(total, stopwatch.Elapsed.TotalSeconds, cpu, uploaded);
    }

    /// <summary>Where each job's time went, in seconds from the first upload: created (upload committed), claimed, finished.</summary>
    private static async Task PrintJobTimesAsync(string connectionString, Guid participantId, DateTimeOffset clockStart)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT j.created_at, j.started_at, j.finished_at, j.worker FROM scoring_jobs j JOIN recordings r ON r.id = j.recording_id " +
            "WHERE r.participant_id = $1 ORDER BY j.created_at", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = participantId });
        await using var reader = await command.ExecuteReaderAsync();
        Console.WriteLine("  job  uploaded  claimed  finished  run(s)  worker");
        for (var n = 1; await reader.ReadAsync(); n++)
        {
            double At(int column) => (reader.GetFieldValue<DateTimeOffset>(column) - clockStart).TotalSeconds;
            var (created, claimed, finished) = (At(0), At(1), At(2));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {n,3}  {created,8:F2}  {claimed,7:F2}  {finished,8:F2}  {finished - claimed,6:F2}  {reader.GetString(3)}"));
        }
    }

    /// <summary>The CPU time <paramref name="host"/> has used so far (0 once it has exited).</summary>
    private static double CpuSeconds(HostProcess host) => host.HasExited ? 0 : MachineCpu.ProcessSeconds(host.Pid);

    internal static async Task<string> MakeRecordingAsync(string work, int n, int seconds)
    {
        var path = Path.Combine(work, $"bench-{n}-{seconds}s.mp4");
        if (File.Exists(path))
        {
            return path;
        }
        var (code, log) = await RunToEndAsync("ffmpeg", [
            "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=25", "-f", "lavfi",
            "-i", $"sine=frequency={220 + 10 * n}:sample_rate=16000", "-t", seconds.ToString(CultureInfo.InvariantCulture),
            "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-movflags", "+faststart", path], []);
        return code == 0 ? path : throw new InvalidOperationException($"ffmpeg failed: {log}");
    }

    private static async Task<double> DurationAsync(string file)
    {
        var (code, output) = await RunToEndAsync("ffprobe", ["-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", file], []);
        return code == 0 ? double.Parse(output.Trim(), CultureInfo.InvariantCulture) : throw new InvalidOperationException(output);
    }

    private static async Task<(int Code, string Output)> RunToEndAsync(string program, IEnumerable<string> arguments, Dictionary<string, string> environment)
    {
        var start = new ProcessStartInfo(program, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout + await stderr);
    }
}
