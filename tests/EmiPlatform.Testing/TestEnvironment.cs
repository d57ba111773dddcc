namespace EmiPlatform.Testing;

/// <summary>Settings of the real servers `make test` starts (infra/up.sh writes them to .local/env.sh).</summary>
public static class TestEnvironment
{
    public static string Require(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"Environment variable {name} is not set. Run the tests with `make test` (or `infra/up.sh && . .local/env.sh`), which starts the real servers.");
}
