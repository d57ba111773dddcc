using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using EmiPlatform.Cli.Output;
using EmiPlatform.Cli.Watch;
using Spectre.Console;

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
        var timeout = new Option<string?>("--timeout") { Description = "Give up after this long (e.g. 30m); exit 2." };
        var watch = new Command("watch",
            "Follow a study's scoring run live (the API's event stream) until nothing is queued or running: counters, "
            + "recording-seconds scored, ETA and job states; reconnects by itself if the connection drops. With --json, one "
            + "JSON object per event (NDJSON). Exit 0 when every job of the run succeeded, 3 when some failed or were cancelled.")
        {
            watchStudy, timeout,
        };
        ApiAction.Set(watch, context, options, call => WatchAsync(call, context, call.Get(watchStudy), call.Get(timeout)));
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

    /// <summary>Follows the study's run to its end; also what <c>emi upload --wait</c> ends with.</summary>
    internal static async Task<int> WatchAsync(ApiCall call, CliContext context, string study, string? timeoutText)
    {
        var limit = timeoutText is { } t ? Duration(t, "--timeout") : Timeout.InfiniteTimeSpan;
        var studyId = await Lookup.StudyAsync(call.Client, study, call.Cancellation).ConfigureAwait(false);
        var follower = new StudyEventFollower(call.Client, studyId);
        var run = new StudyRun();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(call.Cancellation);
        deadline.CancelAfter(limit);
        try
        {
            if (call.Output.IsJson)
            {
                await follower.FollowAsync(e =>
                {
                    run.Apply(e);
                    context.Out.WriteLine(EventJson.Line(e));
                    return run.Counters.IsComplete;
                }, message => call.Output.Warn(message), deadline.Token).ConfigureAwait(false);
            }
            else if (context.Interactive)
            {
                var console = Printer.CreateConsole(context.Error, terminal: true);
                await console.Live(LiveWatchView.Render(studyId, run)).StartAsync(live => follower.FollowAsync(e =>
                {
                    run.Apply(e);
                    live.UpdateTarget(LiveWatchView.Render(studyId, run));
                    return run.Counters.IsComplete;
                }, message =>
                {
                    run.Notice = message;
                    live.UpdateTarget(LiveWatchView.Render(studyId, run));
                }, deadline.Token)).ConfigureAwait(false);
            }
            else
            {
                var log = new WatchLog(context.Error);
                await follower.FollowAsync(e =>
                {
                    log.Event(e, run, run.Apply(e));
                    return run.Counters.IsComplete;
                }, log.Notice, deadline.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !call.Cancellation.IsCancellationRequested)
        {
            call.Output.Fail($"timed out after {timeoutText} with {run.Counters.Queued} job(s) queued and {run.Counters.Running} running");
            return ExitCodes.ApiError;
        }

        var c = run.Counters;
        var elapsed = c is { StartedAt: { } started, CompletedAt: { } completed } ? $" in {RunText.Duration(completed - started)}" : "";
        call.Output.Line($"Run {c.RunId}: {c.Succeeded} succeeded, {c.Failed} failed, {c.Cancelled} cancelled of {c.Total} job(s); "
            + string.Create(CultureInfo.InvariantCulture, $"{c.SecondsDone:0.0} of {c.SecondsTotal:0.0} recording-s scored{elapsed}."));
        var bad = run.Jobs.Where(j => j.State is "failed" or "cancelled").ToList();
        if (!call.Output.IsJson && bad.Count > 0)
        {
            call.Output.Table(["participant", "file", "state", "attempts", "job", "error"], bad.Select(j => new[]
            {
                j.ParticipantCode, j.FileName, j.State, j.Attempts.ToString(CultureInfo.InvariantCulture), j.Id.ToString(), j.Error,
            }));
        }
        if (bad.Count > 0)
        {
            // The last word names what did not score, by the lab's own file names, whatever the output mode.
            call.Output.Fail($"{bad.Count} of {c.Total} recording(s) not scored: "
                + string.Join("; ", bad.Select(j => $"{j.Name} {j.State}" + (j.Error is { } e ? $" ({e})" : ""))));
        }
        return c.Failed + c.Cancelled == 0 ? ExitCodes.Ok : ExitCodes.PartialFailure;
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
        call.Output.Table(["participant", "file", "state", "progress", "attempts", "model", "error", "id"], jobs.Select(j => new[]
        {
            JsonText.Get(j, "participantCode"), JsonText.Get(j, "fileName"), JsonText.Get(j, "state"),
            $"{j.GetProperty("progress").GetDouble():P0}", JsonText.Get(j, "attempts"),
            $"{JsonText.Get(j.GetProperty("bundle"), "name")} {JsonText.Get(j.GetProperty("bundle"), "version")}", JsonText.Get(j, "error"),
            JsonText.Get(j, "id"),
        }));
    }
}
