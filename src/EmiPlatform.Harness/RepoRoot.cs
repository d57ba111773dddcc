namespace EmiPlatform.Harness;

/// <summary>The checkout's root (where EmiPlatform.sln is): the tests, the benchmarks and their hosts' binaries live below it.</summary>
public static class RepoRoot
{
    private static readonly Lazy<string?> Found = new(() => Above(Environment.CurrentDirectory) ?? Above(AppContext.BaseDirectory));

    /// <summary>The root above the current directory, else above this binary's folder (a test run starts in bin/).</summary>
    public static string Path => Found.Value ?? throw new InvalidOperationException(
        $"EmiPlatform.sln not found above {Environment.CurrentDirectory} or {AppContext.BaseDirectory}: run from inside the repository.");

    /// <summary>The root, or null outside a checkout (a benchmark then asks for explicit paths).</summary>
    public static string? TryFind() => Found.Value;

    private static string? Above(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "EmiPlatform.sln")))
            {
                return dir.FullName;
            }
        }
        return null;
    }
}
