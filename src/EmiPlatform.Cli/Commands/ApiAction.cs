using System.CommandLine;
using EmiPlatform.Cli.Config;
using EmiPlatform.Cli.Http;
using EmiPlatform.Cli.Output;

namespace EmiPlatform.Cli.Commands;

/// <summary>Runs an API command's action and maps every way it can fail onto the documented exit codes.</summary>
internal static class ApiAction
{
    public static void Set(Command command, CliContext context, ApiOptions options, Func<ApiCall, Task<int>> action)
    {
        command.SetAction(async (parse, ct) =>
        {
            var output = new Printer(context, parse.GetValue(options.Json));
            Connection? connection = null;
            try
            {
                connection = ConnectionResolver.Resolve(context, parse.GetValue(options.Profile), parse.GetValue(options.Url));
                using var client = new EmiClient(connection, context.HttpHandler);
                return await action(new ApiCall(parse, client, output, connection, context, ct)).ConfigureAwait(false);
            }
            catch (Exception e) when (e is ConfigException or UsageException)
            {
                output.Fail(e.Message);
                return ExitCodes.Usage;
            }
            catch (ApiException e)
            {
                output.Problem(e);
                return ExitCodes.ApiError;
            }
            catch (HttpRequestException e)
            {
                output.Fail($"cannot reach the API at {connection?.Url}: {e.Message}");
                return ExitCodes.ApiError;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                output.Fail("cancelled");
                return ExitCodes.Cancelled;
            }
        });
    }
}
