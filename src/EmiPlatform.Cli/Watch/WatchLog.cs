namespace EmiPlatform.Cli.Watch;

/// <summary>
/// Without a terminal: a line on stderr for each job transition and whenever the counters change (progress within
/// a job alone does not), so a log shows the run's story without one line per percent.
/// </summary>
internal sealed class WatchLog(TextWriter error)
{
    private string? _last;

    public void Event(WatchEvent e, StudyRun run, (WatchedJob Job, string? Before)? changed)
    {
        if (changed is var (job, before))
        {
            error.WriteLine($"emi: {job.Name} (job {job.Id}) {before ?? "new"} -> {job.State}"
                + (job.Error is { } message ? $": {message}" : ""));
        }
        if (e.Type is "progress" or "heartbeat")
        {
            return;
        }
        var c = run.Counters;
        var line = c.RunId is null
            ? "emi: the study has no scoring run yet: 0 job(s); waiting for one"
            : $"emi: run {RunText.Short(c.RunId)}: {RunText.Counts(c)}; {RunText.Seconds(c)}; {RunText.Eta(c)}";
        if (line != _last)
        {
            error.WriteLine(line);
            _last = line;
        }
    }

    public void Notice(string message) => error.WriteLine($"emi: {message}");
}
