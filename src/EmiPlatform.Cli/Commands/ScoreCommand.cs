using System.CommandLine;
using System.Globalization;
using System.Text;
using EmiPlatform.Bundles;
using EmiPlatform.Cli.Output;
using EmiPlatform.Csv;
using EmiPlatform.Inference.Onnx;
using EmiPlatform.Inference.Scoring;
using EmiPlatform.Media;
using Spectre.Console;

namespace EmiPlatform.Cli.Commands;

/// <summary><c>emi score FILE... --model DIR [--format csv|json] [--window 1s]</c>: the scoring pipeline offline.</summary>
internal static class ScoreCommand
{
    public static Command Create(CliContext context)
    {
        var files = new Argument<FileInfo[]>("files") { Description = "Recordings (video or audio).", Arity = ArgumentArity.OneOrMore };
        var model = new Option<DirectoryInfo>("--model", "-m") { Description = "Model bundle directory (manifest.json + ONNX files).", Required = true };
        var format = new Option<string>("--format", "-f") { Description = "csv | json.", DefaultValueFactory = _ => "csv" };
        format.AcceptOnlyFromAmong("csv", "json");
        var window = new Option<string>("--window", "-w") { Description = "Timeline window, e.g. 1s, 500ms, 2.5s.", DefaultValueFactory = _ => "1s" };
        var hop = new Option<string?>("--hop") { Description = "Distance between window starts (default: the window)." };
        var output = new Option<FileInfo?>("--output", "-o") { Description = "Write here instead of stdout." };
        var batch = new Option<int>("--batch-size") { Description = "Segments per ONNX Runtime call.", DefaultValueFactory = _ => 1 };
        var formulas = CommonOptions.Formulas();
        var noProgress = new Option<bool>("--no-progress") { Description = "No progress bar (it is off anyway when stderr is not a terminal)." };
        var provider = CommonOptions.Provider();
        var threads = CommonOptions.Threads();

        var command = new Command("score", "Score recordings with a model bundle and print their timelines.")
        {
            files, model, format, window, hop, output, batch, formulas, noProgress, provider, threads,
        };

        command.SetAction(async (parse, cancellationToken) =>
        {
            if (!DurationParser.TryParse(parse.GetValue(window), out var windowSpan))
            {
                await context.Error.WriteLineAsync($"emi score: invalid --window '{parse.GetValue(window)}'.").ConfigureAwait(false);
                return 2;
            }

            var hopText = parse.GetValue(hop);
            var hopSpan = windowSpan;
            if (hopText is not null && !DurationParser.TryParse(hopText, out hopSpan))
            {
                await context.Error.WriteLineAsync($"emi score: invalid --hop '{hopText}'.").ConfigureAwait(false);
                return 2;
            }

            ModelBundle bundle;
            ScoringPipeline pipeline;
            try
            {
                bundle = ModelBundle.Load(parse.GetValue(model)!.FullName);
                pipeline = new ScoringPipeline(new OnnxSessionOptions
                {
                    ExecutionProvider = parse.GetValue(provider),
                    IntraOpThreads = parse.GetValue(threads),
                });
            }
            catch (Exception ex) when (ex is ModelBundleException or CudaUnavailableException or Microsoft.ML.OnnxRuntime.OnnxRuntimeException)
            {
                await context.Error.WriteLineAsync($"emi score: {ex.Message}").ConfigureAwait(false);
                return 2;
            }

            if (pipeline.Placement.CpuReason is { } why)
            {
                await context.Error.WriteLineAsync($"emi score: scoring on the CPU. {why}").ConfigureAwait(false);
            }

            if (!bundle.Trained)
            {
                await context.Error.WriteLineAsync(
                    $"emi score: bundle {bundle.Name} {bundle.Version} is NOT trained ({bundle.Provenance}); its scores are meaningless.").ConfigureAwait(false);
            }

            using (pipeline)
            {
                var options = new ScoringOptions { Window = windowSpan, Hop = hopSpan, BatchSize = parse.GetValue(batch) };
                var inputs = parse.GetValue(files)!;
                var showProgress = !parse.GetValue(noProgress) && context.Interactive;
                var results = await ScoreAllAsync(context, pipeline, bundle, options, inputs, showProgress, cancellationToken).ConfigureAwait(false);

                var target = parse.GetValue(output);
                await using var writer = target is null ? context.Out : new StreamWriter(target.FullName, false, new UTF8Encoding(false));
                if (parse.GetValue(format) == "json")
                {
                    JsonResultWriter.Write(writer, results.Where(r => r.Result is not null).Select(r => (r.Recording, r.Result!)));
                }
                else
                {
                    var csv = new CsvTimelineWriter(writer, CommonOptions.FormulaMode(parse.GetValue(formulas)));
                    foreach (var (recording, result) in results)
                    {
                        if (result is not null)
                        {
                            await csv.WriteAsync(recording, result, cancellationToken).ConfigureAwait(false);
                        }
                    }
                }

                return results.All(r => r.Result is not null) ? 0 : 1;
            }
        });

        return command;
    }

    private static async Task<List<(string Recording, ScoringResult? Result)>> ScoreAllAsync(
        CliContext context,
        ScoringPipeline pipeline, ModelBundle bundle, ScoringOptions options, FileInfo[] inputs, bool showProgress, CancellationToken cancellationToken)
    {
        var results = new List<(string, ScoringResult?)>();
        async Task ScoreOne(FileInfo file, IProgress<ScoringProgress>? progress)
        {
            try
            {
                var result = await pipeline.ScoreAsync(file.FullName, bundle, options, progress, cancellationToken).ConfigureAwait(false);
                results.Add((file.Name, result));
                if (result.Aggregate?.FaceCoverage is { } coverage)
                {
                    // On stderr with the other notes, so that stdout stays a clean CSV / JSON stream.
                    await context.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                        $"emi score: {file.Name}: face_coverage {coverage:0.###} (the visual branch scores the face crop, only in frames where the participant's face was tracked)")).ConfigureAwait(false);
                }
            }
            catch (MediaDecodeException ex)
            {
                await context.Error.WriteLineAsync($"emi score: {file.Name}: {ex.Kind}: {ex.Message}").ConfigureAwait(false);
                results.Add((file.Name, null));
            }
        }

        if (!showProgress)
        {
            foreach (var file in inputs)
            {
                await ScoreOne(file, null).ConfigureAwait(false);
            }

            return results;
        }

        // Progress goes to stderr so that stdout stays a clean CSV / JSON stream.
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(context.Error) });
        await console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .StartAsync(async context =>
            {
                foreach (var file in inputs)
                {
                    var task = context.AddTask(Markup.Escape(file.Name), maxValue: 1.0);
                    await ScoreOne(file, new Progress<ScoringProgress>(p => task.Value = p.Fraction)).ConfigureAwait(false);
                    task.Value = 1.0;
                    task.StopTask();
                }
            }).ConfigureAwait(false);
        return results;
    }
}
