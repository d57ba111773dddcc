namespace EmiPlatform.Cli;

/// <summary>Exit codes scripts can branch on (docs/cli.md).</summary>
public static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>Bad arguments, or no URL / key configured: nothing was sent.</summary>
    public const int Usage = 1;

    /// <summary>The API answered with a problem, or could not be reached.</summary>
    public const int ApiError = 2;

    /// <summary>A batch command (upload) finished, but some of its items failed.</summary>
    public const int PartialFailure = 3;

    /// <summary>Interrupted (Ctrl-C).</summary>
    public const int Cancelled = 130;
}
