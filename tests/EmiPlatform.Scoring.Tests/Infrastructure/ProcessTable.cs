namespace EmiPlatform.Scoring.Tests.Infrastructure;

/// <summary>Reads /proc: which processes a parent has started, by command name.</summary>
public static class ProcessTable
{
    public static IReadOnlyList<int> Children(int parentPid, params string[] names)
    {
        var found = new List<int>();
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
            if (int.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture) == parentPid && names.Contains(comm) && fields[0] != "Z")
            {
                found.Add(pid);
            }
        }
        return found;
    }
}
