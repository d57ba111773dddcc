namespace EmiPlatform.Harness;

/// <summary>The built hosts under src/*/bin: what the tests and benchmarks start as processes.</summary>
public static class HostBinaries
{
    /// <summary>The API host.</summary>
    public static string Api => Find("EmiPlatform.Api", "EmiPlatform.Api.dll");

    /// <summary>The silo host.</summary>
    public static string Silo => Find("EmiPlatform.Silo", "EmiPlatform.Silo.dll");

    /// <summary>
    /// <paramref name="dll"/> of <paramref name="project"/>, built in this binary's own configuration (Release or Debug)
    /// if there is one, else in the other: a test run starts the hosts its build made, a Release benchmark Release hosts.
    /// </summary>
    public static string Find(string project, string dll)
    {
        string[] configurations = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
            ? ["Debug", "Release"]
            : ["Release", "Debug"];
        foreach (var configuration in configurations)
        {
            var path = Path.Combine(RepoRoot.Path, "src", project, "bin", configuration, "net10.0", dll);
            if (File.Exists(path))
            {
                return path;
            }
        }
        throw new InvalidOperationException($"{project} is not built: dotnet build src/{project} (-c Release for benchmark figures).");
    }
}
