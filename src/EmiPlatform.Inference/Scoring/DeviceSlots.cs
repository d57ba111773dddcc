namespace EmiPlatform.Inference.Scoring;

/// <summary>
/// How many recordings each device is scoring now: a recording takes the least busy device's slot and gives it back
/// when done. One slot on the CPU. Lock-free: taken once per recording, never per segment.
/// </summary>
internal sealed class DeviceSlots
{
    private readonly int[] _busy;

    public DeviceSlots(int devices) => _busy = new int[Math.Max(1, devices)];

    /// <summary>Takes a slot of the device with the fewest recordings (the first on a tie) and returns its index.</summary>
    public int TakeLeastBusy()
    {
        var best = 0;
        for (var i = 1; i < _busy.Length; i++)
        {
            if (Volatile.Read(ref _busy[i]) < Volatile.Read(ref _busy[best]))
            {
                best = i;
            }
        }

        Interlocked.Increment(ref _busy[best]);
        return best;
    }

    public void Release(int slot) => Interlocked.Decrement(ref _busy[slot]);
}
