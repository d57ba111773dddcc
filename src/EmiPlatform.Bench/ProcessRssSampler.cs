namespace EmiPlatform.Bench;

/// <summary>Samples another process's VmRSS every 20 ms and keeps the highest value seen.</summary>
internal sealed class ProcessRssSampler : IDisposable
{
    private readonly int _pid;
    private readonly Timer _timer;
    private long _peak;

    public ProcessRssSampler(int pid)
    {
        _pid = pid;
        _timer = new Timer(_ => Sample(), null, TimeSpan.Zero, TimeSpan.FromMilliseconds(20));
    }

    public long Peak => Interlocked.Read(ref _peak);

    public void Dispose()
    {
        _timer.Dispose();
        Sample();
    }

    private void Sample()
    {
        long current;
        try
        {
            current = ProcessMemory.Read(_pid).Rss;
        }
        catch (IOException)
        {
            return; // the process is gone; the caller sees that on its own
        }
        long seen;
        while (current > (seen = Interlocked.Read(ref _peak)) && Interlocked.CompareExchange(ref _peak, current, seen) != seen)
        {
        }
    }
}
