namespace EmiPlatform.Harness;

/// <summary>A process as /proc/PID/stat names it: its command and state letter (R, S, Z …).</summary>
public sealed record ChildProcess(int Pid, string Command, string State)
{
    /// <summary>Exited, but its parent has not reaped it yet.</summary>
    public bool IsZombie => State == "Z";

    public override string ToString() => $"{Command}[{Pid}] state {State}";
}
