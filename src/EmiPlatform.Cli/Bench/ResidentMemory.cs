using System.Globalization;

namespace EmiPlatform.Cli.Bench;

/// <summary>Current and peak resident set size of this process, from /proc/self/status.</summary>
internal static class ResidentMemory
{
    public static long CurrentBytes => Read("VmRSS:");

    /// <summary>The kernel's high-water mark of the resident set since the process started.</summary>
    public static long PeakBytes => Read("VmHWM:");

    private static long Read(string key)
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith(key, StringComparison.Ordinal))
            {
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
            }
        }

        return 0;
    }
}
