using System.CommandLine;
using EmiPlatform.Cli.Commands;

namespace EmiPlatform.Cli;

/// <summary>The <c>emi</c> command tree; <see cref="RunAsync"/> is what the process entry point and the tests call.</summary>
public static class EmiCli
{
    public static RootCommand CreateRoot(CliContext context) =>
        new("EMI Platform command line: manage tenants, studies and participants, upload recordings through the HTTP API, "
            + "and score recordings offline with a model bundle. Exit codes: 0 ok, 1 usage, 2 API error, 3 partial failure.")
        {
            ProfileCommand.Create(context),
            MeCommand.Create(context),
            AdminCommand.Create(context),
            StudiesCommand.Create(context),
            ParticipantsCommand.Create(context),
            UploadCommand.Create(context),
            ExportCommand.Create(context),
            BundlesCommand.Create(context),
            FeaturesCommand.Create(context),
            EventsCommand.Create(context),
            JobsCommand.Create(context),
            ScoreCommand.Create(context),
            BenchCommand.Create(),
        };

    public static Task<int> RunAsync(string[] args, CliContext context, CancellationToken cancellationToken = default) =>
        CreateRoot(context).Parse(args).InvokeAsync(new InvocationConfiguration { Output = context.Out, Error = context.Error }, cancellationToken);
}
