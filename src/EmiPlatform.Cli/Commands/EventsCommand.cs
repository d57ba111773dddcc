using System.CommandLine;
using EmiPlatform.Cli.Http;
using EmiPlatform.Cli.Output;

namespace EmiPlatform.Cli.Commands;

/// <summary>
/// <c>emi events import LOG.csv --study S</c>: a study's stimulus events from an experiment log (columns in
/// docs/results.md, "Events"); <c>emi events list RECORDING</c>. The server refuses a log with any bad row whole.
/// </summary>
internal static class EventsCommand
{
    public static Command Create(CliContext context) =>
        new("events", "Stimulus events inside recordings: import an experiment log, list a recording's events.")
        {
            Import(context),
            List(context),
        };

    private static Command Import(CliContext context)
    {
        var options = new ApiOptions();
        var file = new Argument<string>("log") { Description = "CSV with recording_id or recording (file name), onset_s, offset_s or duration_s, and optionally participant, kind, stimulus, trial, condition." };
        var study = ParticipantsCommand.StudyOption();
        var command = options.AddTo(new Command("import", "Set the events of the recordings a log names (each recording's list replaced whole; all or nothing).")
        {
            file, study,
        });
        ApiAction.Set(command, context, options, async call =>
        {
            var studyId = await Lookup.StudyAsync(call.Client, call.Get(study), call.Cancellation).ConfigureAwait(false);
            var result = await ImportAsync(call.Client, studyId, call.Get(file), call.Cancellation).ConfigureAwait(false);
            if (call.Output.IsJson)
            {
                call.Output.Json(result);
            }
            else
            {
                call.Output.Line($"imported {result.GetProperty("events")} events on {result.GetProperty("recordings")} recordings");
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>Sends a log to the study's import (also what <c>emi upload --events</c> does after uploading).</summary>
    public static async Task<System.Text.Json.JsonElement> ImportAsync(EmiClient client, Guid studyId, string path, CancellationToken ct)
    {
        if (!File.Exists(path))
        {
            throw new UsageException($"No such file: {path}");
        }
        var csv = await File.ReadAllTextAsync(path, ct).ConfigureAwait(false);
        return await client.SendCsvAsync(HttpMethod.Post, $"v1/studies/{studyId}/events/import", csv, ct).ConfigureAwait(false);
    }

    private static Command List(CliContext context)
    {
        var options = new ApiOptions();
        var recording = new Argument<Guid>("recording") { Description = "The recording's id." };
        var command = options.AddTo(new Command("list", "A recording's events by onset.") { recording });
        ApiAction.Set(command, context, options, async call =>
        {
            var result = await call.Client.GetAsync($"v1/recordings/{call.Get(recording)}/events", call.Cancellation).ConfigureAwait(false);
            if (call.Output.IsJson)
            {
                call.Output.Json(result);
                return ExitCodes.Ok;
            }
            call.Output.Table(["#", "onset_s", "offset_s", "kind", "stimulus", "trial", "condition"],
                result.GetProperty("events").EnumerateArray().Select(e => new[]
                {
                    e.GetProperty("index").ToString(), e.GetProperty("onset_s").ToString(), e.GetProperty("offset_s").ToString(),
                    JsonText.Get(e, "kind") ?? "", JsonText.Get(e, "stimulus") ?? "", JsonText.Get(e, "trial") ?? "", JsonText.Get(e, "condition") ?? "",
                }));
            return ExitCodes.Ok;
        });
        return command;
    }
}
