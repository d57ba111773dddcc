using EmiPlatform.Abstractions.Studies;
using EmiPlatform.Abstractions.Tenants;
using EmiPlatform.Contracts;
using EmiPlatform.Contracts.Transport;
using EmiPlatform.Data;
using EmiPlatform.Data.Jobs;
using MassTransit;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EmiPlatform.Grains.Tenants;

/// <summary>
/// Admits a tenant's uploads and releases its queued jobs to the scoring transport, never more at once than its share
/// (<c>tenants.max_concurrent_jobs</c>, else the cluster's scoring slots split among the tenants with work). Each tenant puts at most its share into the
/// transport's FIFO queue, so another tenant's first job waits behind at most that many, whatever this tenant has
/// queued. Within the tenant, studies take turns (<see cref="StudyTurns"/>). Every round reads PostgreSQL, which
/// holds the truth; only the order of turns and the uploads in progress (<see cref="UploadSlots"/>, renewed by their
/// API hosts) live here. It also orchestrates the tenant's erasure (<see cref="EraseAsync"/>).
/// </summary>
public sealed class TenantGrain(
    JobStore jobs,
    TenantLimitsReader limits,
    TenantStore store,
    ClusterSlots slots,
    ISendEndpointProvider sender,
    IOptions<CoordinationOptions> options,
    IOptions<MessagingOptions> messaging,
    ILogger<TenantGrain> logger) : Grain, ITenantGrain, IRemindable
{
    private static readonly TimeSpan AfterSendFailure = TimeSpan.FromSeconds(5);

    private readonly StudyTurns _turns = new();
    private readonly UploadSlots _uploads = new(options.Value.MaxConcurrentUploads, options.Value.UploadSlotLease, TimeProvider.System);
    private TenantLimits? _limits;
    private bool _erasing;
    private Watch _watch = null!;

    private Guid TenantId => this.GetPrimaryKey();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _limits = await limits.ReadAsync(TenantId, cancellationToken);
        _watch = new Watch(this, "schedule", ct => RoundAsync(ct), options.Value.ReconcileInterval);
        await _watch.InitializeAsync();
        await RoundAsync(cancellationToken);
    }

    public async Task<UploadAdmission> AdmitUploadAsync(long declaredBytes)
    {
        // Usage changes with every registration and erasure, so it is read fresh; the recordings trigger stays the
        // last line of defence for uploads admitted side by side.
        var current = await limits.ReadAsync(TenantId, CancellationToken.None);
        _limits = current;
        if (current is null || current.Suspended)
        {
            return new UploadAdmission(UploadRefusal.TenantSuspended);
        }
        return current.WouldExceed(Math.Max(declaredBytes, 0)) ? new UploadAdmission(UploadRefusal.QuotaExceeded) : UploadAdmission.Admitted;
    }

    public Task<UploadSlotGrant> TakeUploadSlotAsync(Guid uploadId) => Task.FromResult(_uploads.Take(uploadId));

    public Task<bool> TryTakeUploadSlotAsync(Guid uploadId) => Task.FromResult(_uploads.Take(uploadId) == UploadSlotGrant.Taken);

    public Task KeepUploadSlotAsync(Guid uploadId)
    {
        _uploads.Keep(uploadId);
        return Task.CompletedTask;
    }

    public Task ReleaseUploadSlotAsync(Guid uploadId)
    {
        _uploads.Release(uploadId);
        return Task.CompletedTask;
    }

    public Task<int> UploadsInProgressAsync() => Task.FromResult(_uploads.Count);

    public Task ScheduleAsync() => RoundAsync(CancellationToken.None);

    public async Task RefreshAsync()
    {
        _limits = await limits.ReadAsync(TenantId, CancellationToken.None);
        await RoundAsync(CancellationToken.None);
    }

    public async Task<bool> EraseAsync()
    {
        if (await limits.ReadAsync(TenantId, CancellationToken.None) is null)
        {
            return false;
        }
        // Nothing more is released while the studies go; each study's grain erases its own (jobs, recordings,
        // participants, study, in its one order) and ends its run. Those grains tell this one about freed slots while it
        // waits for them: the call chain may re-enter here, and a round while erasing releases nothing.
        _erasing = true;
        bool erased;
        try
        {
            using var reentrant = RequestContext.AllowCallChainReentrancy();
            bool? deleted;
            do
            {
                foreach (var studyId in await store.StudiesAsync(TenantId, CancellationToken.None))
                {
                    await GrainFactory.GetGrain<IStudyGrain>(studyId).DeleteStudyAsync();
                }
                // A study created while the others went is erased on the next pass.
                deleted = await store.DeleteIfNoStudiesAsync(TenantId, CancellationToken.None);
            }
            while (deleted is null);
            erased = deleted.Value;
        }
        finally
        {
            _erasing = false;
        }
        _limits = null;
        await _watch.KeepAsync(busy: false);
        this.DeactivateOnIdle();
        return erased;
    }

    public async Task<TenantSchedule> GetScheduleAsync()
    {
        var view = await jobs.SchedulingViewAsync(TenantId, 0, CancellationToken.None);
        return new TenantSchedule(ShareBeside(view.OtherTenantsWithWork), view.InFlight, await jobs.QueuedCountAsync(TenantId, CancellationToken.None));
    }

    public Task ReceiveReminder(string reminderName, TickStatus status) => RoundAsync(CancellationToken.None);

    private int AllSlots => Math.Max(slots.Total, options.Value.MinimumShare);

    /// <summary>
    /// The tenant's own share if its row sets one, else the slots split evenly (rounded up) among the tenants with work:
    /// alone it may use every slot; once another tenant queues, it stops releasing until it is within its part, so a
    /// tenant holding slots with long jobs leaves the others the slots its earlier jobs free.
    /// </summary>
    private int ShareBeside(int otherTenantsWithWork) =>
        _limits?.MaxConcurrentJobs ?? (AllSlots + otherTenantsWithWork) / (otherTenantsWithWork + 1);

    private async Task RoundAsync(CancellationToken cancellationToken)
    {
        var view = await jobs.SchedulingViewAsync(TenantId, _limits?.MaxConcurrentJobs ?? AllSlots, cancellationToken);
        var inFlight = view.InFlight;
        var picked = _erasing || _limits is { Suspended: true } ? [] : _turns.Pick(view.Due, ShareBeside(view.OtherTenantsWithWork) - inFlight);
        if (picked.Count > 0)
        {
            var released = await jobs.MarkReleasedAsync(picked, options.Value.RedispatchAfter, cancellationToken);
            await SendAsync(released, cancellationToken);
            inFlight += released.Count;
        }
        await _watch.KeepAsync(busy: inFlight > 0 || view.Due.Count > picked.Count);
    }

    private async Task SendAsync(IReadOnlyList<Guid> released, CancellationToken cancellationToken)
    {
        var sent = 0;
        try
        {
            var endpoint = await sender.GetSendEndpoint(new Uri($"queue:{messaging.Value.ScoreQueue}"));
            foreach (var id in released)
            {
                await endpoint.Send(new ScoreRecording(id), cancellationToken);
                sent++;
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The broker is away: the unsent jobs are due again soon rather than after the whole redispatch lease.
            logger.LogWarning(ex, "Tenant {TenantId}: could not send {Count} job message(s); retrying in {Delay}", TenantId, released.Count - sent, AfterSendFailure);
            await jobs.PostponeAsync(released.Skip(sent).ToArray(), AfterSendFailure, CancellationToken.None);
        }
    }
}
