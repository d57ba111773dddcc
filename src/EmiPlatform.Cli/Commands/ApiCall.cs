using System.CommandLine;
using EmiPlatform.Cli.Config;
using EmiPlatform.Cli.Http;
using EmiPlatform.Cli.Output;

namespace EmiPlatform.Cli.Commands;

/// <summary>Everything an API command's action needs: its parsed arguments, a connected client and the printer.</summary>
internal sealed record ApiCall(ParseResult Parse, EmiClient Client, Printer Output, Connection Connection, CliContext Context, CancellationToken Cancellation)
{
    public T Get<T>(Option<T> option) => Parse.GetValue(option)!;

    public T Get<T>(Argument<T> argument) => Parse.GetValue(argument)!;
}
