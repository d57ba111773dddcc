using System.Diagnostics;

namespace EmiPlatform.Bench;

/// <summary>Another process's VmRSS every 2 s, with named marks, for a benchmark that prints memory over time.</summary>
internal sealed class RssSeries : IDisposable
{
    private readonly int _pid;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly List<(TimeSpan At, long Bytes, string? Mark)> _samples = [];
    private readonly Timer _timer;

    public RssSeries(int pid)
    {
        _pid = pid;
        _timer = new Timer(_ => Sample(null), null, TimeSpan.Zero, TimeSpan.FromSeconds(2));
    }

    public IReadOnlyList<(TimeSpan At, long Bytes, string? Mark)> Samples
    {
        get
        {
            lock (_samples)
            {
                return [.. _samples];
            }
        }
    }

    /// <summary>Samples now under <paramref name="mark"/>; returns the bytes.</summary>
    public long Mark(string mark) => Sample(mark);

    public void Dispose() => _timer.Dispose();

    private long Sample(string? mark)
    {
        long bytes;
        try
        {
            bytes = ProcessMemory.Read(_pid).Rss;
        }
        catch (IOException)
        {
            return 0; // the process is gone; the benchmark sees that on its own
        }
        lock (_samples)
        {
            _samples.Add((_clock.Elapsed, bytes, mark));
        }
        return bytes;
    }
}
