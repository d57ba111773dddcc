namespace EmiPlatform.Scoring.Tests.Infrastructure;

/// <summary>Settings of the local servers (written by infra/up.sh to .local/env.sh) and repository paths.</summary>
public static class Env
{
    public static string Require(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"{name} is not set: run the tests with `make test` (or `infra/up.sh && . .local/env.sh` first).");

    public static string RepositoryRoot { get; } = FindRoot();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "EmiPlatform.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("EmiPlatform.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>The worker host built in the same configuration as these tests.</summary>
    public static string WorkerDll
    {
        get
        {
            var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
            var path = Path.Combine(RepositoryRoot, "src", "EmiPlatform.Worker", "bin", configuration, "net10.0", "EmiPlatform.Worker.dll");
            return File.Exists(path) ? path : throw new InvalidOperationException($"{path} is missing: build the solution first.");
        }
    }
}
