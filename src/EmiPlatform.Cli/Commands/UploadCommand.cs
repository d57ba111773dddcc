using System.CommandLine;
using EmiPlatform.Cli.Output;
using EmiPlatform.Cli.Upload;
using Spectre.Console;

namespace EmiPlatform.Cli.Commands;

/// <summary>
/// <c>emi upload FOLDER|FILES --study S [--participant CODE | --participant-from PATTERN]</c>: a folder of recordings in
/// one command, in parallel, resumable, with progress bars and a summary. Exit 3 when some files failed.
/// </summary>
internal static class UploadCommand
{
    public static Command Create(CliContext context)
    {
        var options = new ApiOptions();
        var paths = new Argument<string[]>("paths")
        {
            Description = "Files and folders (folders are read recursively; hidden files and folders are left out).",
            Arity = ArgumentArity.OneOrMore,
        };
        var study = ParticipantsCommand.StudyOption();
        var participant = new Option<string?>("--participant") { Description = "Participant code for every file (created when missing)." };
        var participantFrom = new Option<string?>("--participant-from")
        {
            Description = "Take the participant code (and optionally stimulus, trial) from each file name: a template such as "
                + "'{participant}_*.mp4' or '{participant}_{stimulus}_{trial}.wav' (* any characters, ? one), or a regex with "
                + "a named group, e.g. '^(?<participant>P\\d+)-'. A pattern with / matches the path inside the folder, e.g. "
                + "'{participant}/*'. Participants are created when missing.",
        };
        var stimulus = new Option<string?>("--stimulus") { Description = "Stimulus label for every file (a {stimulus} in the pattern wins)." };
        var trial = new Option<string?>("--trial") { Description = "Trial / session label for every file (a {trial} in the pattern wins)." };
        var parallel = new Option<int>("--parallel", "-j") { Description = "Files uploaded at once.", DefaultValueFactory = _ => 4 };
        var noProgress = new Option<bool>("--no-progress") { Description = "No progress bars (they are off anyway without a terminal or with --json)." };
        var wait = new Option<bool>("--wait")
        {
            Description = "Then follow the study's scoring run to its end, as `emi jobs watch` does, and end with the recordings that did not score, by file name.",
        };

        var events = new Option<string?>("--events")
        {
            Description = "An experiment log (CSV, columns as for `emi events import`) imported once the files are uploaded: each row names its "
                + "recording by original file name (recording column) or id.",
        };
        var command = options.AddTo(new Command("upload",
            "Upload recordings into a study. Files whose SHA-256 is already uploaded for their participant are skipped, so "
            + "running the same command again resumes an interrupted upload. Scoring runs afterwards, in the background: --wait "
            + "follows it. Exit code 3 when some files failed to upload (or, with --wait, to score).")
        {
            paths, study, participant, participantFrom, stimulus, trial, parallel, noProgress, wait, events,
        });

        ApiAction.Set(command, context, options, async call =>
        {
            if (call.Get(parallel) is < 1 or > 64)
            {
                throw new UsageException("--parallel must be between 1 and 64.");
            }
            var items = Plan(call.Get(paths), call.Get(participant), call.Get(participantFrom), call.Get(stimulus), call.Get(trial));
            var studyId = await Lookup.StudyAsync(call.Client, call.Get(study), call.Cancellation).ConfigureAwait(false);

            var clock = System.Diagnostics.Stopwatch.StartNew();
            UploadOutcome[] outcomes;
            if (context.Interactive && !call.Output.IsJson && !call.Get(noProgress))
            {
                var console = Printer.CreateConsole(context.Error, terminal: true);
                outcomes = await console.Progress()
                    .AutoClear(false)
                    .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new TransferSpeedColumn(), new RemainingTimeColumn())
                    .StartAsync(progress => new Uploader(call.Client, studyId, new ProgressBarObserver(progress, items.Sum(i => i.Length)))
                        .RunAsync(items, call.Get(parallel), call.Cancellation)).ConfigureAwait(false);
            }
            else
            {
                outcomes = await new Uploader(call.Client, studyId, new LineObserver(context.Error))
                    .RunAsync(items, call.Get(parallel), call.Cancellation).ConfigureAwait(false);
            }
            clock.Stop();

            var failed = outcomes.Count(o => o.Status == UploadStatus.Failed);
            var sentBytes = outcomes.Where(o => o.Status is UploadStatus.Uploaded or UploadStatus.Exists).Sum(o => o.Bytes);
            if (call.Output.IsJson)
            {
                call.Output.Json(new
                {
                    studyId,
                    uploaded = outcomes.Count(o => o.Status == UploadStatus.Uploaded),
                    exists = outcomes.Count(o => o.Status == UploadStatus.Exists),
                    skipped = outcomes.Count(o => o.Status == UploadStatus.Skipped),
                    failed,
                    bytesSent = sentBytes,
                    seconds = clock.Elapsed.TotalSeconds,
                    files = outcomes,
                });
            }
            else
            {
                call.Output.Table(["file", "participant", "status", "size", "recording / error"],
                    outcomes.Select(o => new[]
                    {
                        o.File, o.Participant, o.Status.ToString().ToLowerInvariant(), JsonText.Bytes(o.Bytes),
                        o.Error?.ToString() ?? o.RecordingId?.ToString() ?? "",
                    }));
                call.Output.Line(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"{outcomes.Length} files: {outcomes.Count(o => o.Status == UploadStatus.Uploaded)} uploaded, "
                    + $"{outcomes.Count(o => o.Status == UploadStatus.Exists)} already there, {outcomes.Count(o => o.Status == UploadStatus.Skipped)} skipped, "
                    + $"{failed} failed; {JsonText.Bytes(sentBytes)} sent in {clock.Elapsed.TotalSeconds:0.0} s"));
            }
            var exit = ExitCodes.Ok;
            if (failed > 0)
            {
                call.Output.Fail($"{failed} of {outcomes.Length} files failed to upload: "
                    + string.Join("; ", outcomes.Where(o => o.Status == UploadStatus.Failed).Select(o => $"{o.File} ({o.Error})")));
                exit = ExitCodes.PartialFailure;
            }
            if (call.Get(events) is { } log)
            {
                if (failed > 0)
                {
                    call.Output.Fail($"events from {log} not imported: some files failed to upload (run the command again, or `emi events import`)");
                }
                else
                {
                    var imported = await EventsCommand.ImportAsync(call.Client, studyId, log, call.Cancellation).ConfigureAwait(false);
                    if (!call.Output.IsJson)
                    {
                        call.Output.Line($"imported {imported.GetProperty("events")} events on {imported.GetProperty("recordings")} recordings from {log}");
                    }
                }
            }
            if (call.Get(wait))
            {
                var scored = await JobsCommand.WatchAsync(call, context, studyId.ToString(), null).ConfigureAwait(false);
                exit = exit == ExitCodes.Ok ? scored : exit;
            }
            else if (!call.Output.IsJson && outcomes.Any(o => o.Status == UploadStatus.Uploaded))
            {
                call.Output.Warn($"uploaded means stored, not scored: `emi jobs watch --study {studyId}` follows the scoring (or add --wait)");
            }
            return exit;
        });
        return command;
    }

    /// <summary>Every file to send and whose it is; attribution errors become failed items, not a failed command.</summary>
    private static List<UploadItem> Plan(string[] paths, string? participant, string? pattern, string? stimulus, string? trial)
    {
        if ((participant is null) == (pattern is null))
        {
            throw new UsageException("Give exactly one of --participant CODE or --participant-from PATTERN.");
        }
        FileNamePattern? parsed = null;
        if (pattern is not null)
        {
            try
            {
                parsed = FileNamePattern.Parse(pattern);
            }
            catch (FormatException e)
            {
                throw new UsageException(e.Message);
            }
        }

        var items = new List<UploadItem>();
        foreach (var path in paths)
        {
            if (Directory.Exists(path))
            {
                var root = Path.GetFullPath(path);
                foreach (var file in Enumerate(root).Order(StringComparer.Ordinal))
                {
                    items.Add(Item(file, Path.GetRelativePath(root, file).Replace(Path.DirectorySeparatorChar, '/')));
                }
            }
            else if (File.Exists(path))
            {
                items.Add(Item(Path.GetFullPath(path), Path.GetFileName(path)));
            }
            else
            {
                throw new UsageException($"no such file or folder: {path}");
            }
        }
        if (items.Count == 0)
        {
            throw new UsageException("no files to upload");
        }
        return items;

        UploadItem Item(string file, string relative)
        {
            var length = new FileInfo(file).Length;
            if (parsed is null)
            {
                return new UploadItem(file, relative, length, participant, stimulus, trial, null);
            }
            return parsed.Match(relative) is { } m
                ? new UploadItem(file, relative, length, m.Participant, m.Stimulus ?? stimulus, m.Trial ?? trial, null)
                : new UploadItem(file, relative, length, null, null, null, $"the name does not match --participant-from '{pattern}'");
        }
    }

    private static IEnumerable<string> Enumerate(string folder) =>
        new DirectoryInfo(folder).EnumerateFiles("*", new EnumerationOptions
        {
            RecurseSubdirectories = true,
            AttributesToSkip = FileAttributes.Hidden | FileAttributes.System,
            IgnoreInaccessible = false,
        }).Where(f => !f.Name.StartsWith('.')).Select(f => f.FullName);
}
