namespace EmiPlatform.Harness;

/// <summary>Settings of the real servers (PostgreSQL, RabbitMQ, Azurite) that infra/up.sh writes to .local/env.sh.</summary>
public static class ServerSettings
{
    public static string Require(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"Environment variable {name} is not set: `. .local/env.sh` first (infra/up.sh writes it; `make test` does both).");
}
