using System.Globalization;

namespace EmiPlatform.Bench;

/// <summary>Resident memory of another process, read from /proc/&lt;pid&gt;/status (VmRSS now, VmHWM its peak so far).</summary>
internal static class ProcessMemory
{
    public static (long Rss, long Hwm) Read(int pid)
    {
        long rss = 0, hwm = 0;
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                rss = Kilobytes(line);
            }
            else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                hwm = Kilobytes(line);
            }
        }
        return (rss, hwm);
    }

    private static long Kilobytes(string line) =>
        long.Parse(line.Split(':', 2)[1].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
}
