using System.Globalization;

namespace EmiPlatform.Bench;

/// <summary>
/// One timed upload. MB are decimal (10^6 bytes), as throughput is usually quoted. The process's CPU time is the figure
/// that other load on the machine disturbs least.
/// </summary>
public sealed record UploadMeasurement(string Mode, long Bytes, TimeSpan Elapsed, long AllocatedBytes, long PeakWorkingSetBytes, TimeSpan ProcessCpu)
{
    public double MegabytesPerSecond => Bytes / 1e6 / Elapsed.TotalSeconds;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Mode}: {Bytes / 1e6:F1} MB in {Elapsed.TotalSeconds:F2} s = {MegabytesPerSecond:F1} MB/s " +
        $"(client CPU {ProcessCpu.TotalSeconds:F2} s, managed allocations {AllocatedBytes / 1048576.0:F1} MiB, peak working set {PeakWorkingSetBytes / 1048576.0:F0} MiB)");
}
