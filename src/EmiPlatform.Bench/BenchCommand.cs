using System.Globalization;
using EmiPlatform.Storage;

namespace EmiPlatform.Bench;

/// <summary>Command line of the benchmark tool; see docs/storage.md.</summary>
internal static class BenchCommand
{
    private const string Usage = """
        usage: EmiPlatform.Bench <mode> [options]
          modes:
            upload-baseline   direct uploads of the file with the SDK: UploadAsync with its defaults, and one Put Blob
            upload-staged     the platform's staged upload (StageBlock x N in parallel + CommitBlockList, SHA-256)
            upload-compare    all three, same file, same run; prints staged / each baseline
            upload-api        the API host (started as a separate process from --api-dll on a fresh database, embedded
                              with Orleans:Roles=coordinator: uploads queue their jobs, nothing scores) vs
                              direct SDK uploads (UploadAsync with defaults, and one Put Blob), same WAV file, same
                              run; prints api / direct and the API's peak RSS above idle (issues 5 and 13; needs
                              EMI_PG*, EMI_AZURITE from .local/env.sh)
            worker-download   the scoring silo's download of a recording to a temporary file with its SHA-256
                              check vs the SDK's DownloadToAsync of the same blob (no hash), same run; prints the
                              seconds per recording and silo / SDK
            export-compare    a study with --rows timeline rows (default 1000000, over --recordings, default 100) exported
                              as long CSV through the API host (separate process, fresh database) vs PostgreSQL's
                              COPY (...) TO STDOUT WITH CSV of the same rows, same run; prints API / COPY and the
                              API's peak RSS (issue 7 item 6; docs/results.md)
            The platform benchmarks have usages of their own (docs/scoring.md, Benchmarks): scoring-compare,
            scheduling-overhead, failover-gap, fairness; load and neighbours (docs/api.md, Rate limits and load).
          options:
            --file PATH               file to upload, or
            --size-mb N               generate N MB (10^6 bytes) of incompressible data (default 256), cached in --work-dir
            --work-dir DIR            where generated files go (default $EMI_BENCH_DIR or <temp>/emi-bench)
            --connection-string CS    storage connection string (default $EMI_AZURITE)
            --container NAME          container (default bench; created when missing)
            --block-size-mb N         staged block size in MiB (default 4)
            --parallelism N           staged blocks in flight (default 4)
            --repeat N                runs per mode (default 1), alternating modes; median and best reported
            --keep                    keep the uploaded blobs
            --api-dll PATH            upload-api: the built API (default src/EmiPlatform.Api/bin/Release, else Debug)
                                      upload-api's --size-mb defaults to 1000 (a 1 GB WAV file); its blocks are the
                                      API's Storage:BlockSizeBytes x Storage:Parallelism (--block-size-mb, --parallelism)
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        try
        {
            return await RunModeAsync(args);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"{e.Message}\n{Usage}");
            return 2;
        }
    }

    private static async Task<int> RunModeAsync(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help")
        {
            Console.WriteLine(Usage);
            return args.Length == 0 ? 2 : 0;
        }

        var mode = args[0];
        if (mode is not ("upload-baseline" or "upload-staged" or "upload-compare" or "upload-api" or "export-compare" or "worker-download"))
        {
            Console.Error.WriteLine($"unknown mode '{mode}'\n{Usage}");
            return 2;
        }

        if (BenchArguments.Parse(args[1..], Usage, "keep") is not { } options)
        {
            return 2;
        }

        var connectionString = options.Text("connection-string") ?? Environment.GetEnvironmentVariable("EMI_AZURITE");
        if (string.IsNullOrEmpty(connectionString))
        {
            Console.Error.WriteLine("No storage: pass --connection-string or set EMI_AZURITE (infra/up.sh writes it to .local/env.sh).");
            return 2;
        }

        var storeOptions = new BlobStorageOptions
        {
            ConnectionString = connectionString,
            Container = options.Text("container") ?? "bench",
            BlockSizeBytes = (int)(options.PositiveNumber("block-size-mb", 4) * 1024 * 1024),
            Parallelism = (int)options.PositiveNumber("parallelism", 4),
        };
        var store = new BlobStore(storeOptions);
        await store.EnsureContainerAsync();

        if (mode == "export-compare")
        {
            return await RunExportAsync(options, connectionString);
        }

        var file = options.Text("file");
        if (mode == "upload-api")
        {
            return await RunApiAsync(options, store, storeOptions, connectionString, file);
        }

        if (file is null)
        {
            var sizeMb = options.PositiveNumber("size-mb", 256);
            var workDir = options.Text("work-dir")
                          ?? Environment.GetEnvironmentVariable("EMI_BENCH_DIR")
                          ?? Path.Combine(Path.GetTempPath(), "emi-bench");
            file = Path.Combine(workDir, string.Create(CultureInfo.InvariantCulture, $"payload-{sizeMb:0}MB.bin"));
            Console.WriteLine($"generating {file} ...");
            await UploadBenchmarks.EnsurePayloadFileAsync(file, (long)(sizeMb * 1_000_000));
        }
        else if (!File.Exists(file))
        {
            Console.Error.WriteLine($"no such file: {file}");
            return 2;
        }

        var repeat = (int)options.PositiveNumber("repeat", 1);
        var keep = options.Has("keep");
        if (mode == "worker-download")
        {
            return await WorkerDownloadBenchmark.RunAsync(store, file, (int)options.PositiveNumber("repeat", 3));
        }

        Console.WriteLine($"file {file} ({new FileInfo(file).Length} bytes) -> {store.Container.Uri}/bench/; " +
                          $"blocks {storeOptions.BlockSizeBytes / 1048576.0:0.##} MiB x {storeOptions.Parallelism}");

        // Runs of both modes alternate so that load from elsewhere on the machine hits both alike.
        var baseline = new List<UploadMeasurement>();
        var putBlob = new List<UploadMeasurement>();
        var staged = new List<UploadMeasurement>();
        for (var run = 0; run < repeat; run++)
        {
            if (mode is "upload-baseline" or "upload-compare")
            {
                baseline.Add(await MeasureAndCleanAsync(store, keep, name => UploadBenchmarks.DirectSdkUploadAsync(store, file, name)));
                putBlob.Add(await MeasureAndCleanAsync(store, keep, name => UploadBenchmarks.DirectPutBlobAsync(store, file, name)));
            }

            if (mode is "upload-staged" or "upload-compare")
            {
                staged.Add(await MeasureAndCleanAsync(store, keep, name => UploadBenchmarks.StagedUploadAsync(store, file, name)));
            }
        }

        Report("baseline (SDK UploadAsync)", baseline);
        Report("baseline (single Put Blob)", putBlob);
        Report("staged", staged);
        if (baseline.Count > 0 && staged.Count > 0)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"ratio staged / SDK UploadAsync: median {Median(staged) / Median(baseline):F2}, best {Best(staged) / Best(baseline):F2}; " +
                $"staged / single Put Blob: median {Median(staged) / Median(putBlob):F2}, best {Best(staged) / Best(putBlob):F2}"));
        }

        return 0;
    }

    private static async Task<int> RunExportAsync(BenchArguments options, string storageConnectionString)
    {
        var apiDll = options.Text("api-dll") ?? HostBinaries.Api;
        if (!File.Exists(apiDll))
        {
            Console.Error.WriteLine($"No API build at {apiDll}: run `dotnet build -c Release src/EmiPlatform.Api` or pass --api-dll.");
            return 2;
        }
        // Only the export path is measured: the embedded silo hosts the grains but runs no scoring pipeline.
        var settings = new Dictionary<string, string>(StringComparer.Ordinal) { ["Orleans:Roles"] = "coordinator" };
        return await ExportBenchmark.RunAsync(apiDll, storageConnectionString, settings, (long)options.PositiveNumber("rows", 1_000_000),
            (int)options.PositiveNumber("recordings", 100), (int)options.PositiveNumber("repeat", 3));
    }

    private static async Task<int> RunApiAsync(
        BenchArguments options, BlobStore store, BlobStorageOptions storeOptions, string connectionString, string? file)
    {
        var apiDll = options.Text("api-dll") ?? HostBinaries.Api;
        if (!File.Exists(apiDll))
        {
            Console.Error.WriteLine($"No API build at {apiDll}: run `dotnet build -c Release src/EmiPlatform.Api` or pass --api-dll.");
            return 2;
        }

        if (file is null)
        {
            var sizeMb = options.PositiveNumber("size-mb", 1000);
            var workDir = options.Text("work-dir")
                          ?? Environment.GetEnvironmentVariable("EMI_BENCH_DIR")
                          ?? Path.Combine(Path.GetTempPath(), "emi-bench");
            file = Path.Combine(workDir, string.Create(CultureInfo.InvariantCulture, $"payload-{sizeMb:0}MB.wav"));
            Console.WriteLine($"generating {file} ...");
            await WavPayload.EnsureAsync(file, (long)(sizeMb * 1_000_000));
        }
        else if (!File.Exists(file))
        {
            Console.Error.WriteLine($"no such file: {file}");
            return 2;
        }

        Console.WriteLine($"file {file} ({new FileInfo(file).Length} bytes); API blocks {storeOptions.BlockSizeBytes / 1048576.0:0.##} MiB x {storeOptions.Parallelism}");
        var settings = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["Storage:BlockSizeBytes"] = storeOptions.BlockSizeBytes.ToString(CultureInfo.InvariantCulture),
            ["Storage:Parallelism"] = storeOptions.Parallelism.ToString(CultureInfo.InvariantCulture),
            // Only the upload path is measured: the embedded silo's grains queue and release each job, but it has no
            // scoring role, so nothing consumes the message and nothing scores.
            ["Orleans:Roles"] = "coordinator",
        };
        return await ApiUploadBenchmark.RunAsync(apiDll, file, store, connectionString, settings, (int)options.PositiveNumber("repeat", 1));
    }

    private static async Task<UploadMeasurement> MeasureAndCleanAsync(BlobStore store, bool keep, Func<string, Task<UploadMeasurement>> measure)
    {
        var name = $"bench/{Guid.NewGuid():N}.bin";
        var measurement = await measure(name);
        Console.WriteLine("  " + measurement);
        if (!keep)
        {
            await store.Container.GetBlobClient(name).DeleteIfExistsAsync();
        }

        return measurement;
    }

    private static void Report(string label, List<UploadMeasurement> runs)
    {
        if (runs.Count > 0)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{label}: median {Median(runs):F1} MB/s, best {Best(runs):F1} MB/s over {runs.Count} run(s); " +
                $"peak working set {runs.Max(r => r.PeakWorkingSetBytes) / 1048576.0:F0} MiB"));
        }
    }

    private static double Best(List<UploadMeasurement> runs) => runs.Max(r => r.MegabytesPerSecond);

    private static double Median(List<UploadMeasurement> runs)
    {
        var sorted = runs.Select(r => r.MegabytesPerSecond).Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
