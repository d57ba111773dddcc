namespace EmiPlatform.Scoring.Jobs;

/// <summary>Wakes this process's dispatcher at once (a job was created here) instead of at its next interval.</summary>
public sealed class JobSignal
{
    private readonly SemaphoreSlim _wake = new(0, 1);

    public void Wake()
    {
        try
        {
            _wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // already woken
        }
    }

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _wake.WaitAsync(timeout, cancellationToken);
}
