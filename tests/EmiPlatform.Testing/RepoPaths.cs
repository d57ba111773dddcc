namespace EmiPlatform.Testing;

public static class RepoPaths
{
    /// <summary>The checkout's root (where EmiPlatform.sln is), found from the test binary's folder.</summary>
    public static string Root { get; } = Find();

    private static string Find()
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
}
