namespace EmiPlatform.Bench;

/// <summary>The machine's 1-, 5- and 15-minute load averages (/proc/loadavg), printed with every figure: this machine is shared.</summary>
internal static class LoadAverage
{
    public static string Now() => "load average " + string.Join(", ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
}
