namespace EmiPlatform.Cli.Watch;

/// <summary>
/// What the watch knows of the study's current run, folded from its events: the counters of the last event and every
/// job by id. A snapshot replaces everything (after a reconnect it may describe a newer run); a job event from a
/// new run starts the picture over.
/// </summary>
internal sealed class StudyRun
{
    private readonly Dictionary<Guid, WatchedJob> _jobs = [];
    private readonly List<Guid> _order = [];

    public RunCounters Counters { get; private set; } = RunCounters.None;

    public IEnumerable<WatchedJob> Jobs => _order.Select(id => _jobs[id]);

    /// <summary>The last connection trouble, until the stream works again.</summary>
    public string? Notice { get; set; }

    /// <returns>The job whose state changed, with its state before (null when new to this run), if the event changed one.</returns>
    public (WatchedJob Job, string? Before)? Apply(WatchEvent e)
    {
        var counters = RunCounters.From(e.Data.GetProperty("progress"));
        Notice = null;
        if (e.Type == "snapshot")
        {
            Clear();
            foreach (var job in e.Data.GetProperty("jobs").EnumerateArray().Select(WatchedJob.From))
            {
                Put(job);
            }
            Counters = counters;
            return null;
        }
        if (counters.RunId != Counters.RunId && counters.RunId is not null)
        {
            Clear();
        }
        Counters = counters;
        if (e.Type is not ("job" or "progress") || !e.Data.TryGetProperty("job", out var data))
        {
            return null;
        }
        var changed = WatchedJob.From(data);
        var before = _jobs.TryGetValue(changed.Id, out var known) ? known.State : null;
        Put(changed);
        return before == changed.State ? null : (changed, before);
    }

    private void Put(WatchedJob job)
    {
        if (!_jobs.ContainsKey(job.Id))
        {
            _order.Add(job.Id);
        }
        _jobs[job.Id] = job;
    }

    private void Clear()
    {
        _jobs.Clear();
        _order.Clear();
    }
}
