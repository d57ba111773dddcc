using System.CommandLine;
using EmiPlatform.Cli.Commands;

var root = new RootCommand("EMI Platform command line: score recordings offline with a model bundle.")
{
    ScoreCommand.Create(),
    BenchCommand.Create(),
};

return await root.Parse(args).InvokeAsync();
