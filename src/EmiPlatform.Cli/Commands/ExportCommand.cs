using System.CommandLine;

namespace EmiPlatform.Cli.Commands;

/// <summary><c>emi export --study S [--format long|aggregate] [--model name@version] [--formulas escaped|raw] -o FILE</c>: the study's CSV, streamed to disk.</summary>
internal static class ExportCommand
{
    public static Command Create(CliContext context)
    {
        var options = new ApiOptions();
        var study = ParticipantsCommand.StudyOption();
        var format = new Option<string>("--format", "-f")
        {
            Description = "long (one row per window) | aggregate (one row per scored recording) | recordings (one row per recording: "
                + "its scoring status and error, naming what the other two leave out) | events (one row per participant × stimulus event: "
                + "mean, peak, time to peak and baseline-corrected mean; docs/results.md).",
            DefaultValueFactory = _ => "long",
        };
        format.AcceptOnlyFromAmong("long", "aggregate", "recordings", "events");
        var model = new Option<string?>("--model", "-m") { Description = "name@version of the bundle (default: per recording, the newest that scored it)." };
        var formulas = CommonOptions.Formulas();
        var output = new Option<string>("--output", "-o") { Description = "CSV file to write ('-' for stdout).", Required = true };
        var command = options.AddTo(new Command("export", "Download a study's results as CSV (RFC 4180, UTF-8; columns in docs/results.md).")
        {
            study, format, model, formulas, output,
        });
        ApiAction.Set(command, context, options, async call =>
        {
            var studyId = await Lookup.StudyAsync(call.Client, call.Get(study), call.Cancellation).ConfigureAwait(false);
            var path = $"v1/studies/{studyId}/export?format={call.Get(format)}&formulas={call.Get(formulas)}"
                + (call.Get(model) is { } m ? $"&model={Uri.EscapeDataString(m)}" : "");
            var target = call.Get(output);
            if (target == "-")
            {
                await using var stdout = Console.OpenStandardOutput();
                await call.Client.DownloadAsync(path, stdout, call.Cancellation).ConfigureAwait(false);
                return ExitCodes.Ok;
            }

            // Into a temporary file first: an interrupted export never leaves a truncated CSV under the real name.
            var temp = target + ".partial";
            long bytes;
            try
            {
                await using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
                {
                    bytes = await call.Client.DownloadAsync(path, file, call.Cancellation).ConfigureAwait(false);
                }
                File.Move(temp, target, overwrite: true);
            }
            finally
            {
                File.Delete(temp);
            }
            if (call.Output.IsJson)
            {
                call.Output.Json(new { studyId, format = call.Get(format), file = Path.GetFullPath(target), bytes });
            }
            else
            {
                call.Output.Line($"wrote {target} ({Output.JsonText.Bytes(bytes)})");
            }
            return ExitCodes.Ok;
        });
        return command;
    }
}
