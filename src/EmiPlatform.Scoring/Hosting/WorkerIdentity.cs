namespace EmiPlatform.Scoring.Hosting;

/// <summary>This process's name in the jobs it runs; unique per process so a restarted worker never mistakes old leases for its own.</summary>
public sealed class WorkerIdentity(string name)
{
    public string Name { get; } = name;

    public static WorkerIdentity Create(string? configured) =>
        new(string.IsNullOrWhiteSpace(configured)
            ? $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid().ToString("N")[..6]}"
            : configured.Trim());
}
