using System.Threading.Channels;

namespace EmiPlatform.Inference.Scoring;

/// <summary>
/// Feeds one model (on one device) from every recording that uses it: requests waiting at the same time with the
/// same segment length run as one call of up to <c>maxSegments</c> segments, so a GPU gets batches instead of one
/// segment per call. A request that does not fit waits for the next call; one cancelled while it waits is dropped
/// (one already in a running batch completes with it: the run is shared).
/// </summary>
internal sealed class SegmentBatcher : IAsyncDisposable
{
    private readonly Channel<SegmentRequest> _queue = Channel.CreateUnbounded<SegmentRequest>(new UnboundedChannelOptions { SingleReader = true });
    private readonly StagedRunner _runner;
    private readonly int _maxSegments;
    private readonly Task _loop;

    public SegmentBatcher(BranchModel model, int maxSegments)
    {
        _runner = model.CreateRunner();
        _maxSegments = maxSegments;
        _loop = Task.Run(LoopAsync);
    }

    /// <summary>Calls so far and segments they carried (the tests check that batching happened).</summary>
    public (int Calls, int Segments) Counts => (_calls, _segments);

    private int _calls;
    private int _segments;

    /// <summary>Completes when the request's outputs have been delivered (or it was dropped as cancelled).</summary>
    public Task RunAsync(SegmentRequest request)
    {
        if (!_queue.Writer.TryWrite(request))
        {
            request.Done.TrySetException(new ObjectDisposedException(nameof(SegmentBatcher)));
        }

        return request.Done.Task;
    }

    private async Task LoopAsync()
    {
        var pending = new List<SegmentRequest>();
        var batch = new List<SegmentRequest>();
        while (pending.Count > 0 || await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (_queue.Reader.TryRead(out var request))
            {
                pending.Add(request);
            }

            pending.RemoveAll(r => r.Cancellation.IsCancellationRequested && r.Done.TrySetCanceled(r.Cancellation));
            if (pending.Count == 0)
            {
                continue;
            }

            batch.Clear();
            var count = 0;
            foreach (var request in pending)
            {
                if (request.ModelUnits == pending[0].ModelUnits && (batch.Count == 0 || count + request.Segments.Count <= _maxSegments))
                {
                    batch.Add(request);
                    count += request.Segments.Count;
                }
            }

            pending.RemoveAll(batch.Contains);
            try
            {
                SegmentExecution.Run(_runner, batch, CancellationToken.None);
                _calls++;
                _segments += count;
                foreach (var request in batch)
                {
                    request.Done.TrySetResult();
                }
            }
            catch (Exception ex)
            {
                foreach (var request in batch)
                {
                    request.Done.TrySetException(ex);
                }
            }
        }

        foreach (var request in pending)
        {
            request.Done.TrySetException(new ObjectDisposedException(nameof(SegmentBatcher)));
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
        _runner.Dispose();
    }
}
