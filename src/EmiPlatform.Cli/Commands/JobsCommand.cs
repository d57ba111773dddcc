using System.CommandLine;
using System.Text.Json;
using EmiPlatform.Cli.Output;

namespace EmiPlatform.Cli.Commands;

/// <summary><c>emi jobs list|watch|cancel</c>: the scoring jobs of a study.</summary>
internal static class JobsCommand
{
    private static readonly string[] Finished = ["succeeded", "failed", "cancelled"];

    public static Command Create(CliContext context)
    {
        var options = new ApiOptions();
        var jobs = options.AddTo(new Command("jobs", "List, watch and cancel a study's scoring jobs."));

        var listStudy = ParticipantsCommand.StudyOption();
        var state = new Option<string?>("--state") { Description = "Only jobs in this state." };
        state.AcceptOnlyFromAmong(["queued", "running", .. Finished]);
        var list = new Command("list", "List a study's scoring jobs.") { listStudy, state };
        ApiAction.Set(list, context, options, async call =>
        {
            var studyId = await Lookup.StudyAsync(call.Client, call.Get(listStudy), call.Cancellation).ConfigureAwait(false);
            var filter = call.Get(state) is { } s ? $"?state={s}" : "";
            Print(call, await FetchAsync(call, $"v1/studies/{studyId}/jobs{filter}").ConfigureAwait(false));
            return ExitCodes.Ok;
        });
        jobs.Subcommands.Add(list);

        var watchStudy = ParticipantsCommand.StudyOption();
        var interval = new Option<string>("--interval") { Description = "How often to poll, e.g. 2s.", DefaultValueFactory = _ => "2s" };
        var timeout = new Option<string?>("--timeout") { Description = "Give up after this long (e.g. 30m); exit 2." };
        var watch = new Command("watch",
            "Follow a study's jobs until none is queued or running. Exit 0 when all succeeded, 3 when some failed or were cancelled.")
        {
            watchStudy, interval, timeout,
        };
        ApiAction.Set(watch, context, options, async call =>
        {
            var every = Duration(call.Get(interval), "--interval");
            var deadline = call.Get(timeout) is { } t ? DateTimeOffset.UtcNow + Duration(t, "--timeout") : DateTimeOffset.MaxValue;
            var studyId = await Lookup.StudyAsync(call.Client, call.Get(watchStudy), call.Cancellation).ConfigureAwait(false);
            string? last = null;
            while (true)
            {
                var all = await FetchAsync(call, $"v1/studies/{studyId}/jobs").ConfigureAwait(false);
                var counts = string.Join(", ", all.GroupBy(j => JsonText.Get(j, "state")).OrderBy(g => g.Key).Select(g => $"{g.Key} {g.Count()}"));
                var progress = all.Count == 0 ? 1 : all.Average(j => j.GetProperty("progress").GetDouble());
                var line = $"{all.Count} job(s): {counts} — {progress:P0}";
                if (line != last && !call.Output.IsJson)
                {
                    call.Output.Line(line);
                    last = line;
                }
                if (all.All(j => Finished.Contains(JsonText.Get(j, "state"))))
                {
                    var bad = all.Where(j => JsonText.Get(j, "state") != "succeeded").ToList();
                    Print(call, call.Output.IsJson ? all : bad);
                    return bad.Count == 0 ? ExitCodes.Ok : ExitCodes.PartialFailure;
                }
                if (DateTimeOffset.UtcNow > deadline)
                {
                    call.Output.Fail("timed out while jobs were still queued or running");
                    return ExitCodes.ApiError;
                }
                await Task.Delay(every, call.Cancellation).ConfigureAwait(false);
            }
        });
        jobs.Subcommands.Add(watch);

        var id = new Argument<Guid>("job") { Description = "The job's id." };
        var cancel = new Command("cancel", "Cancel a queued or running job (a running one stops its decoding and writes nothing).") { id };
        ApiAction.Set(cancel, context, options, async call =>
        {
            var job = await call.Client.PostAsync($"v1/jobs/{call.Get(id)}/cancel", null, call.Cancellation).ConfigureAwait(false);
            Print(call, [job]);
            return ExitCodes.Ok;
        });
        jobs.Subcommands.Add(cancel);
        return jobs;
    }

    private static TimeSpan Duration(string text, string option) =>
        DurationParser.TryParse(text, out var value) ? value : throw new UsageException($"{option}: '{text}' is not a duration like 2s or 5m");

    private static async Task<List<JsonElement>> FetchAsync(ApiCall call, string path)
    {
        var all = new List<JsonElement>();
        await foreach (var job in call.Client.ListAllAsync(path, call.Cancellation).ConfigureAwait(false))
        {
            all.Add(job);
        }
        return all;
    }

    private static void Print(ApiCall call, IReadOnlyList<JsonElement> jobs)
    {
        if (call.Output.IsJson)
        {
            call.Output.Json(jobs);
            return;
        }
        if (jobs.Count == 0)
        {
            return;
        }
        call.Output.Table(["id", "recording", "state", "progress", "attempts", "model", "error"], jobs.Select(j => new[]
        {
            JsonText.Get(j, "id"), JsonText.Get(j, "recordingId"), JsonText.Get(j, "state"),
            $"{j.GetProperty("progress").GetDouble():P0}", JsonText.Get(j, "attempts"),
            $"{JsonText.Get(j.GetProperty("bundle"), "name")} {JsonText.Get(j.GetProperty("bundle"), "version")}", JsonText.Get(j, "error"),
        }));
    }
}
