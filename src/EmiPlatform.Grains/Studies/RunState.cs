using EmiPlatform.Abstractions.Jobs;
using EmiPlatform.Abstractions.Studies;

namespace EmiPlatform.Grains.Studies;

/// <summary>The study grain's picture of its current run: each job as last read, and the counters derived from them.</summary>
public sealed class RunState(RunView view)
{
    private readonly Dictionary<Guid, JobSnapshot> _jobs = view.Jobs.ToDictionary(j => j.Job.JobId, j => j.Job);
    private readonly Dictionary<Guid, double> _seconds = view.Jobs.ToDictionary(j => j.Job.JobId, j => j.Seconds);
    private readonly List<Guid> _order = [.. view.Jobs.Select(j => j.Job.JobId)];

    public Guid Id { get; } = view.Id;
    public DateTimeOffset StartedAt { get; } = view.StartedAt;
    public DateTimeOffset? CompletedAt { get; private set; } = view.CompletedAt;

    public bool IsDone => _jobs.Values.All(j => j.State.IsFinal());

    public bool Contains(Guid jobId) => _jobs.ContainsKey(jobId);

    /// <returns>Whether the job's state, attempts or error changed (progress alone is not a transition).</returns>
    public bool Update(JobSnapshot job)
    {
        var changed = !_jobs.TryGetValue(job.JobId, out var known)
            || known.State != job.State || known.Attempts != job.Attempts || known.Error != job.Error;
        _jobs[job.JobId] = job;
        return changed;
    }

    /// <summary>Takes the database's view of this run; returns the jobs that changed.</summary>
    public List<JobSnapshot> Refresh(RunView fresh)
    {
        CompletedAt = fresh.CompletedAt;
        // A job whose recording was erased is gone with it: it no longer holds the run open.
        var present = fresh.Jobs.Select(j => j.Job.JobId).ToHashSet();
        foreach (var gone in _order.Where(id => !present.Contains(id)).ToList())
        {
            _order.Remove(gone);
            _jobs.Remove(gone);
            _seconds.Remove(gone);
        }
        var changed = new List<JobSnapshot>();
        foreach (var (job, seconds) in fresh.Jobs)
        {
            if (!_jobs.ContainsKey(job.JobId))
            {
                _order.Add(job.JobId);
                _seconds[job.JobId] = seconds;
            }
            if (Update(job))
            {
                changed.Add(job);
            }
        }
        return changed;
    }

    public JobSnapshot? Progress(Guid jobId, float progress)
    {
        if (!_jobs.TryGetValue(jobId, out var job) || job.State != JobState.Running)
        {
            return null;
        }
        return _jobs[jobId] = job with { Progress = Math.Clamp(progress, 0f, 1f) };
    }

    public void Complete(DateTimeOffset completedAt) => CompletedAt = completedAt;

    public JobSnapshot[] Jobs() => [.. _order.Select(id => _jobs[id])];

    public StudyProgress Counters()
    {
        int Count(JobState state) => _jobs.Values.Count(j => j.State == state);
        var total = _seconds.Values.Sum();
        var done = _jobs.Values.Sum(j => j.State == JobState.Succeeded ? _seconds[j.JobId] : j.State == JobState.Running ? j.Progress * _seconds[j.JobId] : 0);
        var dropped = _jobs.Values.Where(j => j.State is JobState.Failed or JobState.Cancelled).Sum(j => _seconds[j.JobId]);
        var elapsed = ((CompletedAt ?? DateTimeOffset.UtcNow) - StartedAt).TotalSeconds;
        double? eta = CompletedAt is not null ? 0 : done > 0 && elapsed > 0 ? (total - dropped - done) / (done / elapsed) : null;
        return new StudyProgress(Id, Count(JobState.Queued), Count(JobState.Running), Count(JobState.Succeeded), Count(JobState.Failed),
            Count(JobState.Cancelled), done, total, eta is { } e ? Math.Max(0, e) : null, StartedAt, CompletedAt);
    }
}
