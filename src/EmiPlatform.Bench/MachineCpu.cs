using System.Globalization;

namespace EmiPlatform.Bench;

/// <summary>
/// Busy CPU time of the whole machine (every process: API, workers, ffmpeg, PostgreSQL, RabbitMQ, Azurite), from the
/// first line of /proc/stat. The end-to-end path does more work than a direct score, and on a saturated machine the
/// ratio of busy core-seconds is what bounds the throughput ratio.
/// </summary>
internal static class MachineCpu
{
    public static double BusySeconds()
    {
        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        // cpu user nice system idle iowait irq softirq steal ...: everything but idle and iowait is busy.
        var ticks = fields.Skip(1).Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();
        var busy = ticks.Sum() - ticks[3] - ticks[4];
        return busy / 100.0;
    }

    /// <summary>CPU seconds of one process and its reaped children (the worker's ffmpeg runs), from /proc/&lt;pid&gt;/stat.</summary>
    public static double ProcessSeconds(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        // Fields after the parenthesised command name: state is field 3; utime, stime, cutime, cstime are 14-17.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return fields.Skip(11).Take(4).Sum(f => long.Parse(f, CultureInfo.InvariantCulture)) / 100.0;
    }
}
