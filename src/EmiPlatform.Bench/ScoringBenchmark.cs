using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Npgsql;

namespace EmiPlatform.Bench;

/// <summary>
/// <c>scoring-compare</c> (issue 6 item 8): end-to-end scoring throughput — recording-seconds per wall second from the
/// first upload to the last timeline committed — through the API host and 1, 2, … worker processes on RabbitMQ, each
/// as a ratio to <c>emi score</c> run directly on the same files just before it. Every process is the built binary,
/// on a fresh database, blob container and queue prefix. See docs/scoring.md.
/// </summary>
internal static class ScoringBenchmark
{
    public const string Usage = """
        usage: EmiPlatform.Bench scoring-compare [--recordings N] [--seconds S] [--workers 1,2] [--warm-up W] [--bundle DIR] [--work-dir DIR]
          N generated recordings (default 8) of S seconds (default 20): 320x240 test pattern at 25 fps with a tone.
          W recordings (default 0) are uploaded and scored before the clock starts, so the API host and the workers
          are measured warm (JIT-compiled, bundle loaded) as a long-running service is, instead of just started.
          Prints the machine's busy core-seconds per process group and each job's upload / claim / finish times.
          Needs EMI_PG*, EMI_AZURITE, EMI_RABBITMQ (. .local/env.sh) and a Release build
          (dotnet build -c Release src/EmiPlatform.Api src/EmiPlatform.Worker src/EmiPlatform.Cli).
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            options[args[i].TrimStart('-')] = args[i + 1];
        }
        if (args.Length % 2 != 0)
        {
            Console.Error.WriteLine(Usage);
            return 2;
        }
        var root = FindRoot();
        var count = int.Parse(options.GetValueOrDefault("recordings", "8"), CultureInfo.InvariantCulture);
        var seconds = int.Parse(options.GetValueOrDefault("seconds", "20"), CultureInfo.InvariantCulture);
        var workerCounts = options.GetValueOrDefault("workers", "1,2").Split(',').Select(w => int.Parse(w, CultureInfo.InvariantCulture)).ToList();
        var bundle = Path.GetFullPath(options.GetValueOrDefault("bundle", Path.Combine(root, "models", "reference-tiny")));
        var warmUpCount = int.Parse(options.GetValueOrDefault("warm-up", "0"), CultureInfo.InvariantCulture);
        var work = options.GetValueOrDefault("work-dir", Path.Combine(Path.GetTempPath(), "emi-bench-scoring"));
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
        Console.WriteLine($"{count} recordings of {seconds} s (320x240 25 fps video + 16 kHz tone) in {work}; bundle {bundle}");

        var results = new List<string>();
        foreach (var workers in workerCounts)
        {
            var direct = await DirectAsync(root, bundle, files, work);
            var endToEnd = await EndToEndAsync(root, files, workers, bundle, warmUp);
            var line = string.Create(CultureInfo.InvariantCulture,
                $"{workers} worker(s): end-to-end {endToEnd.Rate:F2} rec-s/s ({endToEnd.Seconds:F1} rec-s in {endToEnd.Wall:F2} s, last upload done at {endToEnd.UploadWall:F2} s, " +
                $"machine busy {endToEnd.CpuSeconds:F2} core-s); emi score direct {direct.Rate:F2} rec-s/s ({direct.Wall:F2} s, busy {direct.CpuSeconds:F2} core-s); " +
                $"ratio {endToEnd.Rate / direct.Rate:F2}");
            Console.WriteLine(line);
            results.Add(line);
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

    private static async Task<Measurement> DirectAsync(string root, string bundle, List<string> files, string work)
    {
        var emi = Built(root, "EmiPlatform.Cli", "emi.dll");
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

    private static async Task<Measurement> EndToEndAsync(string root, List<string> files, int workerCount, string bundle, List<string> warmUp)
    {
        var database = $"emi_bench_scoring_{Guid.NewGuid():N}";
        var prefix = $"bench-{Guid.NewGuid().ToString("N")[..8]}-";
        var container = "bench" + Guid.NewGuid().ToString("N")[..12];
        var adminKey = "bench-admin-" + Guid.NewGuid().ToString("N");
        var port = FreePort();
        await ExecuteAsync(Require("EMI_PG"), $"CREATE DATABASE {database} OWNER emi_owner");
        string Conn(string variable) => new NpgsqlConnectionStringBuilder(Require(variable)) { Database = database }.ConnectionString;
        var common = new Dictionary<string, string>
        {
            ["Database__AppConnectionString"] = Conn("EMI_PG_APP"),
            ["Database__AdminConnectionString"] = Conn("EMI_PG_ADMIN"),
            ["Database__MigrationsConnectionString"] = Conn("EMI_PG_OWNER"),
            ["Storage__ConnectionString"] = Require("EMI_AZURITE"),
            ["Storage__Container"] = container,
            ["Messaging__Transport"] = "RabbitMq",
            ["Messaging__RabbitMqUrl"] = Require("EMI_RABBITMQ"),
            ["Messaging__QueuePrefix"] = prefix,
            ["Scoring__DefaultBundle"] = bundle,
            ["Scoring__Concurrency"] = "1",
            ["Scoring__DispatchInterval"] = "00:00:00.200",
            ["DOTNET_ENVIRONMENT"] = "Production",
            ["Logging__LogLevel__MassTransit"] = "Information",
        };
        var processes = new List<(Process Process, StringBuilder Log)>();
        try
        {
            var api = new Dictionary<string, string>(common)
            {
                ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
                ["Auth__BootstrapAdminKey"] = adminKey,
                ["Scoring__Worker"] = "false",
            };
            processes.Add(Start(Built(root, "EmiPlatform.Api", "EmiPlatform.Api.dll"), api));
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromMinutes(5) };
            await WaitForAsync(async () => (await TryGetAsync(http, "/readyz")) == HttpStatusCode.OK, TimeSpan.FromSeconds(60), "the API host", processes);
            for (var i = 0; i < workerCount; i++)
            {
                processes.Add(Start(Built(root, "EmiPlatform.Worker", "EmiPlatform.Worker.dll"), common));
            }
            // Workers are long-running services: their start-up is not part of a recording's way to its timeline.
            await WaitForAsync(() => Task.FromResult(processes.Skip(1).All(p => Logged(p.Log, "Bus started"))), TimeSpan.FromSeconds(60), "the workers", processes);

            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", adminKey);
            var tenant = await PostAsync(http, "/v1/admin/tenants", new { name = "Bench lab" });
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", tenant["adminKey"]!["secret"]!.GetValue<string>());
            var study = (await PostAsync(http, "/v1/studies", new { name = "Bench" }))["id"]!.GetValue<string>();
            var participant = (await PostAsync(http, $"/v1/studies/{study}/participants", new { code = "B01" }))["id"]!.GetValue<string>();

            if (warmUp.Count > 0)
            {
                // A service that has scored before: the API's upload path and the worker's bundle and pipeline are warm.
                var other = (await PostAsync(http, $"/v1/studies/{study}/participants", new { code = "W01" }))["id"]!.GetValue<string>();
                await Parallel.ForEachAsync(warmUp, new ParallelOptions { MaxDegreeOfParallelism = UploadParallelism },
                    async (file, ct) => await UploadAsync(http, study, other, file, ct));
                await WaitForAsync(async () => await ScalarAsync<long>(Conn("EMI_PG"), "SELECT count(*) FROM scoring_jobs WHERE state = 'succeeded'") == warmUp.Count,
                    TimeSpan.FromMinutes(5), "the warm-up jobs to succeed", processes, TimeSpan.FromMilliseconds(100));
                Console.WriteLine($"  warmed up: {warmUp.Count} recording(s) uploaded and scored before the clock starts");
            }

            // As a lab uploads a folder: `emi upload`'s default of 4 files at once.
            var started = DateTimeOffset.UtcNow;
            var cpu = MachineCpu.BusySeconds();
            var processCpu = processes.Select(p => MachineCpu.ProcessSeconds(p.Process.Id)).ToArray();
            var stopwatch = Stopwatch.StartNew();
            await Parallel.ForEachAsync(files, new ParallelOptions { MaxDegreeOfParallelism = UploadParallelism },
                async (file, ct) => await UploadAsync(http, study, participant, file, ct));
            var uploaded = stopwatch.Elapsed.TotalSeconds;
            await WaitForAsync(async () => await ScalarAsync<long>(Conn("EMI_PG"), "SELECT count(*) FROM scoring_jobs WHERE state = 'succeeded'") == files.Count + warmUp.Count,
                TimeSpan.FromMinutes(20), "every job to succeed", processes, TimeSpan.FromMilliseconds(100));
            stopwatch.Stop();
            cpu = MachineCpu.BusySeconds() - cpu;
            var apiCpu = MachineCpu.ProcessSeconds(processes[0].Process.Id) - processCpu[0];
            var workerCpu = processes.Skip(1).Select((p, i) => MachineCpu.ProcessSeconds(p.Process.Id) - processCpu[i + 1]).Sum();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  busy core-s: all {cpu:F2}, API host + its ffprobe/ffmpeg {apiCpu:F2}, worker(s) + their ffmpeg {workerCpu:F2}, rest (PostgreSQL, RabbitMQ, Azurite, this bench) {cpu - apiCpu - workerCpu:F2}"));
            var participantId = Guid.Parse(participant);
            var total = await ScalarAsync<double>(Conn("EMI_PG"), $"SELECT sum(duration_seconds) FROM recordings WHERE participant_id = '{participantId}'");
            await PrintJobTimesAsync(Conn("EMI_PG"), participantId, started);
            return new Measurement(total, stopwatch.Elapsed.TotalSeconds, cpu, uploaded);
        }
        finally
        {
            foreach (var (process, _) in processes)
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                    await process.WaitForExitAsync();
                }
                process.Dispose();
            }
            NpgsqlConnection.ClearAllPools();
            await ExecuteAsync(Require("EMI_PG"), $"DROP DATABASE IF EXISTS {database} WITH (FORCE)");
            var store = new Storage.BlobStore(new Storage.BlobStorageOptions { ConnectionString = Require("EMI_AZURITE"), Container = container });
            await store.DeleteContainerAsync();
        }
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

    private static async Task UploadAsync(HttpClient http, string study, string participant, string file, CancellationToken cancellationToken)
    {
        await using var stream = File.OpenRead(file);
        using var content = new StreamContent(stream);
        content.Headers.ContentType = new MediaTypeHeaderValue("video/mp4");
        using var response = await http.PostAsync($"/v1/studies/{study}/participants/{participant}/recordings?fileName={Path.GetFileName(file)}", content, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"upload failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}");
        }
    }

    private static bool Logged(StringBuilder log, string text)
    {
        lock (log)
        {
            return log.ToString().Contains(text, StringComparison.Ordinal);
        }
    }

    private static (Process, StringBuilder) Start(string dll, Dictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("dotnet", [dll])
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }
        var process = Process.Start(start)!;
        var log = new StringBuilder();
        void Append(string? line)
        {
            if (line is not null)
            {
                lock (log)
                {
                    log.AppendLine(line);
                }
            }
        }
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return (process, log);
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition, TimeSpan timeout, string what,
        List<(Process Process, StringBuilder Log)> processes, TimeSpan? poll = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline || processes.Any(p => p.Process.HasExited))
            {
                var logs = string.Join("\n---\n", processes.Select(p => { lock (p.Log) { var s = p.Log.ToString(); return s.Length > 3000 ? s[^3000..] : s; } }));
                throw new InvalidOperationException($"gave up waiting for {what}:\n{logs}");
            }
            await Task.Delay(poll ?? TimeSpan.FromMilliseconds(250));
        }
    }

    private static async Task<HttpStatusCode?> TryGetAsync(HttpClient http, string path)
    {
        try
        {
            using var response = await http.GetAsync(path);
            return response.StatusCode;
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    private static async Task<JsonNode> PostAsync(HttpClient http, string path, object body)
    {
        using var response = await http.PostAsJsonAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        return response.IsSuccessStatusCode ? JsonNode.Parse(text)! : throw new InvalidOperationException($"POST {path}: {(int)response.StatusCode} {text}");
    }

    private static async Task<string> MakeRecordingAsync(string work, int n, int seconds)
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

    private static string Built(string root, string project, string dll)
    {
        foreach (var configuration in new[] { "Release", "Debug" })
        {
            var path = Path.Combine(root, "src", project, "bin", configuration, "net10.0", dll);
            if (File.Exists(path))
            {
                return path;
            }
        }
        throw new InvalidOperationException($"{project} is not built (dotnet build -c Release src/{project}).");
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(Environment.CurrentDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "EmiPlatform.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("Run from inside the repository (EmiPlatform.sln not found).");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string Require(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : throw new InvalidOperationException($"{name} is not set: . .local/env.sh");

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<T> ScalarAsync<T>(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)Convert.ChangeType((await command.ExecuteScalarAsync())!, typeof(T), CultureInfo.InvariantCulture);
    }
}
