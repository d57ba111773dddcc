using System.CommandLine;
using EmiPlatform.Inference.Onnx;

namespace EmiPlatform.Cli.Commands;

/// <summary>Options shared by the commands that run models.</summary>
internal static class CommonOptions
{
    public static Option<ExecutionProvider> Provider() => new("--execution-provider", "--ep")
    {
        Description = "auto | cpu | cuda.",
        DefaultValueFactory = _ => ExecutionProvider.Auto,
    };

    public static Option<int> Threads() => new("--threads")
    {
        Description = "ONNX Runtime intra-op threads (0: one per core).",
        DefaultValueFactory = _ => 0,
    };
}
