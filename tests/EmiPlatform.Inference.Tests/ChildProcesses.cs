namespace EmiPlatform.Inference.Tests;

/// <summary>Reads /proc: the ffmpeg / ffprobe processes whose parent is this test process (zombies too), and this process's descriptors and memory.</summary>
internal static class ChildProcesses
{
    public static IReadOnlyList<string> FfmpegChildren() =>
        [.. ProcessTable.Children(Environment.ProcessId, "ffmpeg", "ffprobe").Select(c => c.ToString())];

    public static int OpenFileDescriptors() => Directory.GetFiles("/proc/self/fd").Length;

    public static long ResidentBytes()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;
            }
        }

        return 0;
    }
}
