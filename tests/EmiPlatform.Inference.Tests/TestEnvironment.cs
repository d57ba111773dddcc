using EmiPlatform.Inference.Onnx;

namespace EmiPlatform.Inference.Tests;

/// <summary>Paths the tests need; a missing prerequisite fails the test with instructions instead of skipping it.</summary>
internal static class TestEnvironment
{
    private static readonly Lazy<string> s_repoRoot = new(() =>
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "EmiPlatform.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("Cannot find the repository root (EmiPlatform.sln) above the test binaries.");
    });

    public static string RepoRoot => s_repoRoot.Value;

    public static string ReferenceBundle => Path.Combine(RepoRoot, "models", "reference-tiny");

    public static string Fixtures => Path.Combine(RepoRoot, "tests", "fixtures", "reference-tiny");

    public static OnnxSessionOptions Cpu { get; } = new() { ExecutionProvider = ExecutionProvider.Cpu };
}
