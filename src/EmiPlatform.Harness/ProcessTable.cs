using System.Globalization;

namespace EmiPlatform.Harness;

/// <summary>Reads /proc: which processes a parent has started, by command name.</summary>
public static class ProcessTable
{
    /// <summary>The children of <paramref name="parentPid"/> whose command is one of <paramref name="names"/>, zombies included (see <see cref="ChildProcess.IsZombie"/>).</summary>
    public static IReadOnlyList<ChildProcess> Children(int parentPid, params string[] names)
    {
        var found = new List<ChildProcess>();
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
                continue; // exited meanwhile
            }
            catch (UnauthorizedAccessException)
            {
                continue;
            }
            // pid (comm) state ppid …; comm may hold spaces, so split after the last ')'.
            var open = stat.IndexOf('(', StringComparison.Ordinal);
            var close = stat.LastIndexOf(')');
            var comm = stat[(open + 1)..close];
            var fields = stat[(close + 2)..].Split(' ');
            if (fields.Length > 1 && int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var ppid) && ppid == parentPid && names.Contains(comm))
            {
                found.Add(new ChildProcess(pid, comm, fields[0]));
            }
        }
        return found;
    }
}
