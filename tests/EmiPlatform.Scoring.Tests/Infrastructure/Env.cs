using EmiPlatform.Testing;

namespace EmiPlatform.Scoring.Tests.Infrastructure;

/// <summary>Where the separately started silo host is.</summary>
public static class Env
{
    /// <summary>The silo host built in the same configuration as these tests.</summary>
    public static string SiloDll
    {
        get
        {
            var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
            var path = Path.Combine(RepoPaths.Root, "src", "EmiPlatform.Silo", "bin", configuration, "net10.0", "EmiPlatform.Silo.dll");
            return File.Exists(path) ? path : throw new InvalidOperationException($"{path} is missing: build the solution first.");
        }
    }
}
