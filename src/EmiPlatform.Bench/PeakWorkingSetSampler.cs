using System.Diagnostics;

namespace EmiPlatform.Bench;

/// <summary>Samples this process's working set every 50 ms and keeps the highest value (Linux has no per-interval peak counter).</summary>
internal sealed class PeakWorkingSetSampler : IDisposable
{
    private readonly Timer _timer;
    private long _peak;

    public PeakWorkingSetSampler()
    {
        _timer = new Timer(_ => Sample(), null, TimeSpan.Zero, TimeSpan.FromMilliseconds(50));
    }

    public long Peak => Interlocked.Read(ref _peak);

    public void Dispose()
    {
        _timer.Dispose();
        Sample();
    }

    private void Sample()
    {
        using var process = Process.GetCurrentProcess();
        var current = process.WorkingSet64;
        long seen;
        while (current > (seen = Interlocked.Read(ref _peak)) && Interlocked.CompareExchange(ref _peak, current, seen) != seen)
        {
        }
    }
}
