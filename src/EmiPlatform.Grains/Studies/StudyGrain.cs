using EmiPlatform.Abstractions.Jobs;
using EmiPlatform.Abstractions.Studies;
using EmiPlatform.Abstractions.Tenants;
using EmiPlatform.Data.Jobs;
using MassTransit;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Utilities;

namespace EmiPlatform.Grains.Studies;

/// <summary>
/// The single writer of one study's recordings and jobs (<see cref="IStudyGrain"/>), their erasure included. Holds the
/// current run's jobs as last read from PostgreSQL, announces every change it sees to its observers, and ends the run
/// once. A timer
/// (while a run is open) and a reminder (which outlives this silo) reconcile with the database, so a lost report
/// from a scoring silo only delays an event.
/// </summary>
public sealed class StudyGrain(
    StudyStore store,
    JobStore jobs,
    IPublishEndpoint bus,
    IOptions<CoordinationOptions> options,
    ILogger<StudyGrain> logger) : Grain, IStudyGrain, IRemindable
{

    private readonly ObserverManager<IStudyObserver> _observers = new(TimeSpan.FromMinutes(2), logger);
    private readonly StudyEventLog _events = new();
    // Null when the study is not (or no longer) there: erasures answer not found, other writes throw.
    private Guid? _tenantId;
    private RunState? _run;
    private Watch _watch = null!;

    private Guid StudyId => this.GetPrimaryKey();

    private Guid TenantId => _tenantId ?? throw new InvalidOperationException($"Study {StudyId} does not exist.");

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _tenantId = await store.TenantOfAsync(StudyId, cancellationToken);
        _watch = new Watch(this, "reconcile", ct => ReconcileAsync(ct), options.Value.ReconcileInterval);
        await _watch.InitializeAsync();
        await ReconcileAsync(cancellationToken);
    }

    public async Task<RegistrationOutcome> RegisterRecordingAsync(RecordingRegistration registration)
    {
        var outcome = await store.RegisterAsync(TenantId, StudyId, registration, options.Value.MaxAttempts, CancellationToken.None);
        if (outcome.Result == RegistrationResult.Created)
        {
            await JobsQueuedAsync();
        }
        return outcome;
    }

    public async Task<RescoreOutcome> RescoreAsync(Guid bundleId, Guid? recordingId)
    {
        var outcome = await store.RescoreAsync(TenantId, StudyId, bundleId, recordingId, options.Value.MaxAttempts, CancellationToken.None);
        if (outcome.QueuedJobIds.Length > 0)
        {
            await JobsQueuedAsync();
        }
        return outcome;
    }

    public async Task<string?> EraseRecordingAsync(Guid recordingId)
    {
        var erasure = await store.EraseRecordingAsync(TenantId, StudyId, recordingId, CancellationToken.None);
        if (erasure.Found)
        {
            await ErasedAsync(erasure);
        }
        return erasure.BlobName;
    }

    public async Task<bool> DeleteParticipantAsync(Guid participantId)
    {
        if (_tenantId is not { } tenantId)
        {
            return false;
        }
        var erasure = await store.EraseParticipantAsync(tenantId, StudyId, participantId, CancellationToken.None);
        if (erasure.Found)
        {
            await ErasedAsync(erasure);
        }
        return erasure.Found;
    }

    public async Task<bool> DeleteStudyAsync()
    {
        if (_tenantId is not { } tenantId || !(await store.EraseStudyAsync(tenantId, StudyId, CancellationToken.None)).Found)
        {
            return false;
        }
        // The study, its runs and its jobs are gone: observers of an open run hear that it ended, this activation
        // forgets the study (stops its timer and reminder) and goes, and the tenant's scheduler has slots back.
        var wasOpen = _run is { CompletedAt: null };
        _run = null;
        _tenantId = null;
        if (wasOpen)
        {
            Announce(StudyEventKind.Completed, null);
        }
        await _watch.KeepAsync(busy: false);
        await GrainFactory.GetGrain<ITenantGrain>(tenantId).ScheduleAsync();
        this.DeactivateOnIdle();
        return true;
    }
    public async Task<CancelOutcome> CancelJobAsync(Guid jobId)
    {
        var (outcome, cancelled) = await jobs.CancelAsync(StudyId, jobId, CancellationToken.None);
        if (cancelled is not null)
        {
            // Committed as cancelled: the announcement only lets a scoring silo running the job stop now rather than
            // at its next heartbeat, so a broker that is away must not turn a done cancel into an error.
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await bus.Publish(cancelled.ToEvent(), timeout.Token);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                logger.LogWarning(ex, "Could not announce the cancel of job {JobId}; its silo stops at its next heartbeat", jobId);
            }
            await JobChangedAsync(jobId);
        }
        return outcome;
    }

    public async Task JobChangedAsync(Guid jobId)
    {
        if (_run is null || !_run.Contains(jobId))
        {
            await ReconcileAsync(CancellationToken.None);
            return;
        }
        if (await store.JobAsync(StudyId, jobId, CancellationToken.None) is { } job && _run.Update(job))
        {
            Announce(StudyEventKind.Job, job);
            // A finished job frees a slot; a job back in the queue (a failed attempt, a silo that gave it back) waits
            // for a release: either way the tenant's scheduler has something to do.
            if (job.State != JobState.Running)
            {
                await GrainFactory.GetGrain<ITenantGrain>(TenantId).ScheduleAsync();
            }
        }
        await CompleteIfDoneAsync();
    }

    public Task JobProgressAsync(Guid jobId, float progress)
    {
        if (_run?.Progress(jobId, progress) is { } job)
        {
            Announce(StudyEventKind.Progress, job);
        }
        return Task.CompletedTask;
    }

    public Task<StudyProgress> GetProgressAsync() => Task.FromResult(_run?.Counters() ?? StudyProgress.None);

    public Task<StudySnapshot> GetSnapshotAsync() =>
        Task.FromResult(new StudySnapshot(_events.LastId, _run?.Counters() ?? StudyProgress.None, _run?.Jobs() ?? []));

    public Task<StudyEvent[]?> GetEventsAfterAsync(long lastEventId) => Task.FromResult(_events.After(lastEventId));

    public Task SubscribeAsync(IStudyObserver observer)
    {
        _observers.Subscribe(observer, observer);
        return Task.CompletedTask;
    }

    public Task UnsubscribeAsync(IStudyObserver observer)
    {
        _observers.Unsubscribe(observer);
        return Task.CompletedTask;
    }

    public Task ReceiveReminder(string reminderName, TickStatus status) => ReconcileAsync(CancellationToken.None);

    private Task JobsQueuedAsync() => ReconcileAsync(CancellationToken.None);

    /// <summary>
    /// After an erasure committed: the erased jobs leave the run (a run they held open may be done now, and is then
    /// announced for the work that is left), a run the erasure ended is announced to observers only (no
    /// <c>study.completed</c>: its work is gone), and the freed slots go back to the tenant's scheduler.
    /// </summary>
    private async Task ErasedAsync(Erasure erasure)
    {
        await ReconcileAsync(CancellationToken.None);
        if (erasure.EndedRun)
        {
            Announce(StudyEventKind.Completed, null);
        }
        await GrainFactory.GetGrain<ITenantGrain>(TenantId).ScheduleAsync();
    }

    /// <summary>
    /// Re-queues expired leases, reads the run again, announces what changed, tells the tenant's scheduler when a
    /// change gives it something to do, and ends the run if it is done.
    /// </summary>
    private async Task ReconcileAsync(CancellationToken cancellationToken)
    {
        var expired = await jobs.RequeueExpiredAsync(StudyId, cancellationToken);
        foreach (var failed in expired.Where(j => j.State == JobStates.Failed))
        {
            logger.LogWarning("Job {JobId} failed: {Error}", failed.Id, failed.Error);
            await bus.Publish(failed.ToEvent(), cancellationToken);
        }
        var changed = new List<JobSnapshot>();
        if (await store.LatestRunAsync(StudyId, cancellationToken) is { } view)
        {
            if (_run is null || _run.Id != view.Id)
            {
                // A new run, or this activation's first look (after a failover the reports that would have woken the
                // tenant's scheduler may have gone to the dead activation): every job counts as news.
                _run = new RunState(view);
                changed.AddRange(view.Jobs.Select(j => j.Job));
            }
            else
            {
                changed.AddRange(_run.Refresh(view));
            }
        }
        foreach (var job in changed)
        {
            Announce(StudyEventKind.Job, job);
        }
        // Queued jobs wait for a release; finished ones freed a slot.
        if (_tenantId is { } tenantId && (expired.Count > 0 || changed.Any(j => j.State != JobState.Running)))
        {
            await GrainFactory.GetGrain<ITenantGrain>(tenantId).ScheduleAsync();
        }
        await CompleteIfDoneAsync();
    }

    private async Task CompleteIfDoneAsync()
    {
        if (_run is { CompletedAt: null } run && run.IsDone)
        {
            if (await store.CompleteRunAsync(TenantId, run.Id, CancellationToken.None) is { } completedAt)
            {
                run.Complete(completedAt);
                logger.LogInformation("Study {StudyId} run {RunId} completed: {Counters}", StudyId, run.Id, run.Counters());
                Announce(StudyEventKind.Completed, null);
            }
            else
            {
                // Someone else completed it (an earlier activation), or a job was queued meanwhile: read the truth.
                var view = await store.LatestRunAsync(StudyId, CancellationToken.None);
                _run = view is null ? null : new RunState(view);
            }
        }
        await _watch.KeepAsync(busy: _run is { CompletedAt: null });
    }

    private void Announce(StudyEventKind kind, JobSnapshot? job)
    {
        var studyEvent = _events.Append(kind, job, _run?.Counters() ?? StudyProgress.None);
        if (_observers.Count > 0)
        {
            _observers.Notify(o => o.OnEventAsync(studyEvent));
        }
    }
}
