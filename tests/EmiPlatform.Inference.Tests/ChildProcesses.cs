namespace EmiPlatform.Inference.Tests;

/// <summary>Reads /proc to find ffmpeg / ffprobe processes whose parent is this test process.</summary>
internal static class ChildProcesses
{
    public static IReadOnlyList<string> FfmpegChildren()
    {
        var self = Environment.ProcessId;
        var found = new List<string>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }

            string stat;
            try
            {
                stat = File.ReadAllText(Path.Combine(dir, "stat"));
            }
            catch (IOException)
            {
                continue;
            }
            catch (UnauthorizedAccessException)
            {
                continue;
            }

            // pid (comm) state ppid ...; comm may contain spaces, so parse after the last ')'.
            var close = stat.LastIndexOf(')');
            var open = stat.IndexOf('(');
            var comm = stat[(open + 1)..close];
            var rest = stat[(close + 2)..].Split(' ');
            if (rest.Length > 1 && int.TryParse(rest[1], out var ppid) && ppid == self && comm is "ffmpeg" or "ffprobe")
            {
                found.Add($"{comm}[{pid}] state {rest[0]}");
            }
        }

        return found;
    }

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
