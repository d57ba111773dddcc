using System.CommandLine;

namespace EmiPlatform.Cli.Commands;

internal static class BenchCommand
{
    public static Command Create() => new("bench", "Benchmark (hidden).") { Hidden = true };
}
