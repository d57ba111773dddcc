using System.CommandLine;
using EmiPlatform.Cli.Output;

namespace EmiPlatform.Cli.Commands;

/// <summary><c>emi me</c>: which API, which key and role a command would use; a quick check of a profile.</summary>
internal static class MeCommand
{
    public static Command Create(CliContext context)
    {
        var options = new ApiOptions();
        var command = options.AddTo(new Command("me", "Show the API, the key's role and tenant, and where the settings came from."));
        ApiAction.Set(command, context, options, async call =>
        {
            var me = await call.Client.GetAsync("v1/me", call.Cancellation).ConfigureAwait(false);
            if (call.Output.IsJson)
            {
                call.Output.Json(me);
                return ExitCodes.Ok;
            }
            var tenant = me.TryGetProperty("tenant", out var t) ? t : default;
            call.Output.Table(["", ""],
            [
                ["url", call.Client.Url.AbsoluteUri],
                ["settings from", call.Connection.Source],
                ["role", JsonText.Get(me, "role")],
                ["tenant", tenant.ValueKind == System.Text.Json.JsonValueKind.Object ? $"{JsonText.Get(tenant, "name")} ({JsonText.Get(tenant, "id")})" : "(none: platform admin)"],
                ["tenant status", JsonText.Get(tenant, "status")],
            ]);
            return ExitCodes.Ok;
        });
        return command;
    }
}
