using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using EmiPlatform.Bundles;
using EmiPlatform.Cli.Bench;
using EmiPlatform.Inference.Onnx;
using EmiPlatform.Inference.Scoring;
using EmiPlatform.Media;

namespace EmiPlatform.Cli.Commands;

/// <summary>
/// <c>emi bench throughput|memory</c> (hidden; docs/inference.md): the issue's benchmark figures, measured in
/// one run. bench/run.sh prepares the base bundle and the recordings and calls both.
/// </summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var bench = new Command("bench", "Benchmarks of the scoring pipeline (see docs/inference.md).") { Hidden = true };
        bench.Add(Throughput());
        bench.Add(Memory());
        return bench;
    }

    private static Command Throughput()
    {
        var model = new Option<DirectoryInfo>("--model", "-m") { Required = true, Description = "Bundle directory (the base preset for the issue's figures)." };
        var recording = new Option<FileInfo>("--recording", "-r") { Required = true, Description = "Recording to score (about a minute)." };
        var pytorchSegments = new Option<int>("--pytorch-segments") { DefaultValueFactory = _ => 2, Description = "Segments per branch PyTorch eager runs (0: skip PyTorch)." };
        var rounds = new Option<int>("--rounds") { DefaultValueFactory = _ => 3, Description = "Alternating raw / pipeline rounds (best of each is compared)." };
        var python = new Option<string>("--python") { DefaultValueFactory = _ => "/usr/bin/python3", Description = "Python with torch (Debian's)." };
        var pytorchScript = new Option<FileInfo>("--pytorch-script")
        {
            DefaultValueFactory = _ => new FileInfo(Path.Combine("bench", "pytorch_eager.py")),
            Description = "The PyTorch eager baseline; ml/ beside its folder is its PYTHONPATH (default: bench/pytorch_eager.py of the repository you run from).",
        };
        var threads = CommonOptions.Threads();
        var command = new Command("throughput", "Pipeline vs raw ONNX Runtime sessions vs PyTorch eager, on the same recording.")
        {
            model, recording, pytorchSegments, rounds, python, pytorchScript, threads,
        };
        command.SetAction(async (parse, ct) =>
        {
            var bundle = ModelBundle.Load(parse.GetValue(model)!.FullName);
            var file = parse.GetValue(recording)!.FullName;
            using var pipeline = new ScoringPipeline(new OnnxSessionOptions { ExecutionProvider = ExecutionProvider.Cpu, IntraOpThreads = parse.GetValue(threads) });
            var (audio, visual, face) = pipeline.ModelsForBenchmark(bundle);
            var media = await MediaProbe.ProbeAsync(file, MediaTools.FromEnvironment(), ct);
            Console.WriteLine($"bundle {bundle.Name} {bundle.Version} (trained: {bundle.Trained}); recording {Path.GetFileName(file)}: {media.Duration:0.0} s, audio {media.HasAudio}, video {media.HasVideo} {media.Video?.Width}x{media.Video?.Height}");
            Console.WriteLine($"ONNX Runtime {OnnxEnvironment.Version}, {Environment.ProcessorCount} cores, intra-op threads {(parse.GetValue(threads) == 0 ? "default" : parse.GetValue(threads))}, provider {audio?.Model.ExecutionProvider ?? visual?.Model.ExecutionProvider}");

            var raw = await RawSessionTimer.DecodeAsync(file, bundle, pipeline.StagesForBenchmark(bundle), ct);
            raw.WarmUp(bundle, audio, visual, face);
            var (audioBytes, visualBytes) = raw.AllocatedBytesPerRun(bundle, audio, visual, 10);
            Console.WriteLine($"managed bytes allocated per session run (first segment, 10 runs): audio {audioBytes:0}, visual {visualBytes:0}");
            // Alternate the two measurements and keep each one's best round: the figures then compare the same
            // machine state, not whatever else the (shared) machine was doing during one of them.
            var rawThroughput = 0.0;
            var pipelineThroughput = 0.0;
            var fastestRaw = TimeSpan.MaxValue;
            var pairedRatios = new List<double>();
            var windows = 0;
            var faceMsPerFrame = double.PositiveInfinity;
            for (var round = 1; round <= parse.GetValue(rounds); round++)
            {
                var rawTime = await raw.RunAsync(bundle, audio, visual, face, ct);
                rawThroughput = Math.Max(rawThroughput, media.Duration / rawTime.TotalSeconds);
                fastestRaw = rawTime < fastestRaw ? rawTime : fastestRaw;
                if (raw.FaceStage is { Frames: > 0 } stage)
                {
                    faceMsPerFrame = Math.Min(faceMsPerFrame, stage.Time.TotalMilliseconds / stage.Frames);
                    Console.WriteLine($"round {round} face stage   : {stage.Frames} frames in {stage.Time.TotalSeconds:0.00} s -> {stage.Time.TotalMilliseconds / stage.Frames:0.00} ms per frame (detector, track, crop{(bundle.Visual!.Face!.Landmarks is null ? "" : ", landmarks, expressions")})");
                }

                Console.WriteLine($"round {round} raw sessions : {raw.AudioSegments} audio + {raw.VisualSegments} visual segments in {rawTime.TotalSeconds:0.00} s -> {media.Duration / rawTime.TotalSeconds:0.00} s of recording per s");

                var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
                var watch = Stopwatch.StartNew();
                var result = await pipeline.ScoreAsync(file, bundle, cancellationToken: ct);
                var pipelineTime = watch.Elapsed;
                var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
                Console.WriteLine($"round {round} pipeline managed bytes allocated: {allocated} ({allocated / (double)(raw.AudioSegments + raw.VisualSegments):0} per segment run)");
                windows = result.Windows.Count;
                pipelineThroughput = Math.Max(pipelineThroughput, media.Duration / pipelineTime.TotalSeconds);
                pairedRatios.Add(rawTime / pipelineTime);
                Console.WriteLine($"round {round} pipeline     : {windows} windows in {pipelineTime.TotalSeconds:0.00} s -> {media.Duration / pipelineTime.TotalSeconds:0.00} s of recording per s");
            }

            raw.Release();
            Console.WriteLine($"best raw {rawThroughput:0.00} s/s, best pipeline {pipelineThroughput:0.00} s/s; load average {File.ReadAllText("/proc/loadavg").Trim()}");

            double? torchThroughput = null;
            var segments = parse.GetValue(pytorchSegments);
            if (segments > 0)
            {
                torchThroughput = await PyTorchEagerAsync(parse.GetValue(python)!, parse.GetValue(pytorchScript)!, bundle, file, segments, parse.GetValue(threads), ct);
                Console.WriteLine($"pytorch eager: {torchThroughput:0.000} s of recording per s (first {segments} segments per branch)");
            }

            if (double.IsFinite(faceMsPerFrame))
            {
                Console.WriteLine($"face stage: best {faceMsPerFrame:0.00} ms per frame at {bundle.Visual!.FrameRate} frames per s of recording (raw includes it)");
            }

            Console.WriteLine($"ratio pipeline / raw ONNX Runtime : {pipelineThroughput / rawThroughput:0.000} (target >= 0.9); per round {string.Join(" / ", pairedRatios.Select(r => r.ToString("0.000", CultureInfo.InvariantCulture)))}");
            // The pipeline decodes and raw does not. Where inference alone keeps every core busy, decoding cannot
            // hide behind it, and the pipeline needs at least raw + decode CPU / cores.
            var ceiling = fastestRaw / (fastestRaw + raw.DecodeCpu / Environment.ProcessorCount);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"decoding (ffprobe + ffmpeg) took {raw.DecodeCpu.TotalSeconds:0.00} CPU s against {fastestRaw.TotalSeconds:0.00} s of raw inference: if inference keeps all {Environment.ProcessorCount} cores busy, the ratio cannot pass {ceiling:0.000}"));
            if (torchThroughput is { } t)
            {
                Console.WriteLine($"ratio pipeline / PyTorch eager    : {pipelineThroughput / t:0.0} (target >= 20)");
            }

            Console.WriteLine(JsonSerializer.Serialize(new
            {
                recording_seconds = media.Duration,
                raw_throughput = rawThroughput,
                pipeline_throughput = pipelineThroughput,
                pytorch_throughput = torchThroughput,
                pipeline_over_raw = pipelineThroughput / rawThroughput,
                pipeline_over_raw_per_round = pairedRatios,
                decode_cpu_seconds = raw.DecodeCpu.TotalSeconds,
                pipeline_over_raw_ceiling_all_cores_busy = ceiling,
                face_stage_ms_per_frame = double.IsFinite(faceMsPerFrame) ? faceMsPerFrame : (double?)null,
                pipeline_over_pytorch = torchThroughput is { } x ? pipelineThroughput / x : (double?)null,
            }));
            return 0;
        });
        return command;
    }

    private static Command Memory()
    {
        var model = new Option<DirectoryInfo>("--model", "-m") { Required = true, Description = "Bundle directory." };
        var recording = new Option<FileInfo>("--recording", "-r") { Required = true, Description = "Recording to score (e.g. 60 minutes)." };
        var threads = CommonOptions.Threads();
        var command = new Command("memory", "Peak resident memory of this process while it scores one recording.")
        {
            model, recording, threads,
        };
        command.SetAction(async (parse, ct) =>
        {
            var bundle = ModelBundle.Load(parse.GetValue(model)!.FullName);
            var file = parse.GetValue(recording)!.FullName;
            using var pipeline = new ScoringPipeline(new OnnxSessionOptions { ExecutionProvider = ExecutionProvider.Cpu, IntraOpThreads = parse.GetValue(threads) });
            pipeline.Preload(bundle);
            var afterLoad = ResidentMemory.CurrentBytes;
            var watch = Stopwatch.StartNew();
            var lastReport = TimeSpan.Zero;
            var progress = new Progress<ScoringProgress>(p =>
            {
                if (watch.Elapsed - lastReport > TimeSpan.FromSeconds(30))
                {
                    lastReport = watch.Elapsed;
                    Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"  {p.ScoredSeconds:0}/{p.TotalSeconds:0} s scored after {watch.Elapsed.TotalSeconds:0} s, RSS {ResidentMemory.CurrentBytes / 1048576.0:0} MiB"));
                }
            });
            var result = await pipeline.ScoreAsync(file, bundle, null, progress, ct);
            var peak = ResidentMemory.PeakBytes;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{Path.GetFileName(file)}: {result.DurationSeconds / 60:0.0} min scored in {watch.Elapsed.TotalSeconds:0} s ({result.DurationSeconds / watch.Elapsed.TotalSeconds:0.00} s/s), {result.Windows.Count} windows; RSS after loading the bundle {afterLoad / 1048576.0:0} MiB, peak RSS {peak / 1048576.0:0} MiB (target < 1536 MiB)"));
            Console.WriteLine(JsonSerializer.Serialize(new { recording_seconds = result.DurationSeconds, wall_seconds = watch.Elapsed.TotalSeconds, rss_after_load_bytes = afterLoad, peak_rss_bytes = peak }));
            return 0;
        });
        return command;
    }

    private static async Task<double> PyTorchEagerAsync(string python, FileInfo script, ModelBundle bundle, string recording, int segments, int threads, CancellationToken ct)
    {
        if (!script.Exists)
        {
            throw new InvalidOperationException($"{script.FullName} is missing: run from the repository's root (it needs bench/pytorch_eager.py and ml/) or pass --pytorch-script.");
        }
        var info = new ProcessStartInfo(python)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.Environment["PYTHONPATH"] = Path.Combine(script.Directory!.Parent!.FullName, "ml");
        foreach (var a in new[]
        {
            script.FullName, "--bundle", bundle.Directory, "--recording", recording,
            "--segments", segments.ToString(CultureInfo.InvariantCulture), "--threads", threads.ToString(CultureInfo.InvariantCulture),
        })
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"pytorch_eager.py failed ({process.ExitCode}): {await stderr}");
        }

        using var doc = JsonDocument.Parse((await stdout).Trim().Split('\n')[^1]);
        return doc.RootElement.GetProperty("throughput").GetDouble();
    }
}
