namespace EmiPlatform.Cli.Config;

/// <summary>The configuration cannot say where to connect (exit code 1: nothing was sent).</summary>
public sealed class ConfigException(string message) : Exception(message);
