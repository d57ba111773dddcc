using System.CommandLine;
using EmiPlatform.Csv;
using EmiPlatform.Inference.Onnx;

namespace EmiPlatform.Cli.Commands;

/// <summary>Options shared by several commands: those that run models, and those that write CSV.</summary>
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

    /// <summary>The CSV formula rule of <c>emi score</c> and <c>emi export</c>, as the API's <c>formulas</c> query parameter names it.</summary>
    public static Option<string> Formulas()
    {
        var option = new Option<string>("--formulas")
        {
            Description = "escaped (default: text starting with =, +, -, @, tab or CR is written as '… so spreadsheets do not run it) | raw.",
            DefaultValueFactory = _ => "escaped",
        };
        option.AcceptOnlyFromAmong("escaped", "raw");
        return option;
    }

    public static CsvFormulas FormulaMode(string? value) => value == "raw" ? CsvFormulas.Raw : CsvFormulas.Escaped;
}
