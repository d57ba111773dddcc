namespace EmiPlatform.Cli.Commands;

/// <summary>Arguments that parse but make no sense together (exit code 1: nothing was sent).</summary>
internal sealed class UsageException(string message) : Exception(message);
