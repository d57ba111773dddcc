using System.Threading.Channels;

namespace EmiPlatform.Grains.Tests.Infrastructure;

/// <summary>
/// The ScoreRecording messages the tenant grains sent, in the order the transport's queue delivered them: what a
/// scoring silo would receive. Tests read it to see what was released, and the simulated silo consumes it.
/// </summary>
public sealed class ScoreInbox
{
    private readonly Channel<Guid> _queue = Channel.CreateUnbounded<Guid>(new UnboundedChannelOptions { SingleReader = false });
    private readonly List<Guid> _received = [];

    /// <summary>Every job id delivered so far, in delivery order (a job released twice appears twice).</summary>
    public IReadOnlyList<Guid> Received
    {
        get
        {
            lock (_received)
            {
                return [.. _received];
            }
        }
    }

    public void Deliver(Guid jobId)
    {
        lock (_received)
        {
            _received.Add(jobId);
            _queue.Writer.TryWrite(jobId);
        }
    }

    /// <summary>The next undelivered-to-a-worker job id, first in first out.</summary>
    public async Task<Guid> TakeAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            return await _queue.Reader.ReadAsync(cancel.Token);
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            throw new TimeoutException($"no ScoreRecording message within {timeout.TotalSeconds} s");
        }
    }

    public Task<Guid> TakeAsync(CancellationToken cancellationToken) => _queue.Reader.ReadAsync(cancellationToken).AsTask();

    /// <summary>Waits until <paramref name="count"/> messages arrived, then a little longer to catch any extra one.</summary>
    public async Task<IReadOnlyList<Guid>> SettleAsync(int count, TimeSpan? quiet = null)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (Received.Count < count)
        {
            Assert.True(DateTime.UtcNow < deadline, $"{Received.Count} ScoreRecording message(s) arrived, expected {count}");
            await Task.Delay(20);
        }
        await Task.Delay(quiet ?? TimeSpan.FromMilliseconds(500));
        return Received;
    }
}
