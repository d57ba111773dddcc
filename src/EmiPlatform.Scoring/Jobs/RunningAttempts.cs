using System.Collections.Concurrent;

namespace EmiPlatform.Scoring.Jobs;

/// <summary>
/// The job attempts running in this process, so a cancel announced on the bus stops its pipeline at once instead of at
/// the attempt's next heartbeat. The heartbeat stays the guarantee: a lost announcement only delays the stop.
/// </summary>
public sealed class RunningAttempts
{
    private readonly ConcurrentDictionary<Guid, CancellationTokenSource> _running = new();

    public IDisposable Track(Guid jobId, CancellationTokenSource abort)
    {
        _running[jobId] = abort;
        return new Registration(() => _running.TryRemove(new KeyValuePair<Guid, CancellationTokenSource>(jobId, abort)));
    }

    /// <summary>Stops the job's attempt if it runs here; false when it does not.</summary>
    public async Task<bool> AbortAsync(Guid jobId)
    {
        if (!_running.TryGetValue(jobId, out var abort))
        {
            return false;
        }
        try
        {
            await abort.CancelAsync();
            return true;
        }
        catch (ObjectDisposedException)
        {
            return false; // the attempt ended meanwhile
        }
    }

    private sealed class Registration(Action remove) : IDisposable
    {
        public void Dispose() => remove();
    }
}
