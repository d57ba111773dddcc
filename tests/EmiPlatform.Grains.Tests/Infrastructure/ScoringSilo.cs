using EmiPlatform.Data.Jobs;

namespace EmiPlatform.Grains.Tests.Infrastructure;

/// <summary>
/// A scoring silo with a fixed number of slots: each slot takes the next message from the queue (first in, first
/// out), claims the job, "scores" it for a fixed time and commits its success, reporting to the study grain after
/// the claim and after the success as the real runner does. Completions are recorded in commit order.
/// </summary>
public sealed class ScoringSilo : IAsyncDisposable
{
    private readonly GrainCluster _cluster;
    private readonly TimeSpan _scoring;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<ClaimedJob> _completed = [];
    private readonly Task[] _slots;

    public ScoringSilo(GrainCluster cluster, int slots, TimeSpan scoring)
    {
        _cluster = cluster;
        _scoring = scoring;
        _slots = [.. Enumerable.Range(0, slots).Select(_ => Task.Run(SlotAsync))];
    }

    /// <summary>The jobs this silo completed, in the order their success was committed.</summary>
    public IReadOnlyList<ClaimedJob> Completed
    {
        get
        {
            lock (_completed)
            {
                return [.. _completed];
            }
        }
    }

    private async Task SlotAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Guid jobId;
            try
            {
                jobId = await _cluster.Inbox.TakeAsync(_stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            // A stale or duplicate message finds the job no longer queued and is dropped, as in the real consumer.
            if (await _cluster.Jobs.ClaimAsync(jobId, GrainCluster.Worker, TimeSpan.FromMinutes(5), CancellationToken.None) is not { } job)
            {
                continue;
            }
            await _cluster.Study(job.StudyId).JobChangedAsync(job.Id);
            await Task.Delay(_scoring);
            await _cluster.CommitSuccessAsync(job);
            lock (_completed)
            {
                _completed.Add(job);
            }
            await _cluster.Study(job.StudyId).JobChangedAsync(job.Id);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_slots);
        _stop.Dispose();
    }
}
