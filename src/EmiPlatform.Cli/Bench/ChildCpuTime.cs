using System.Globalization;

namespace EmiPlatform.Cli.Bench;

/// <summary>
/// CPU time of this process's finished (reaped) child processes, from /proc/self/stat: what ffprobe and ffmpeg
/// cost, which the process's own CPU time does not include.
/// </summary>
internal static class ChildCpuTime
{
    // /proc reports in USER_HZ, which the kernel ABI fixes at 100 whatever the kernel's internal tick rate.
    private const double TicksPerSecond = 100;

    public static TimeSpan Total
    {
        get
        {
            var stat = File.ReadAllText("/proc/self/stat");
            // The command name (field 2) may hold spaces and parentheses; the fields after its closing one are plain.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            // cutime and cstime are fields 16 and 17 of the file, 14 and 15 after the name.
            var ticks = long.Parse(fields[13], CultureInfo.InvariantCulture) + long.Parse(fields[14], CultureInfo.InvariantCulture);
            return TimeSpan.FromSeconds(ticks / TicksPerSecond);
        }
    }
}
