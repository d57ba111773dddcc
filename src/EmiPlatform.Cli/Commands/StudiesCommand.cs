using System.CommandLine;
using System.Text.Json;
using EmiPlatform.Cli.Output;

namespace EmiPlatform.Cli.Commands;

/// <summary><c>emi studies create|list|get|delete</c>.</summary>
internal static class StudiesCommand
{
    public static Command Create(CliContext context)
    {
        var options = new ApiOptions();
        var studies = options.AddTo(new Command("studies", "Create, list, show and delete studies of your tenant."));

        var name = new Argument<string>("name") { Description = "Study name (1–200 characters)." };
        var description = new Option<string?>("--description", "-d") { Description = "Free text, up to 4000 characters." };
        var create = new Command("create", "Create a study.") { name, description };
        ApiAction.Set(create, context, options, async call =>
        {
            var study = await call.Client.PostAsync("v1/studies", new { name = call.Get(name), description = call.Get(description) }, call.Cancellation).ConfigureAwait(false);
            Print(call, [study]);
            return ExitCodes.Ok;
        });
        studies.Subcommands.Add(create);

        var list = new Command("list", "List the tenant's studies.");
        ApiAction.Set(list, context, options, async call =>
        {
            var all = new List<JsonElement>();
            await foreach (var s in call.Client.ListAllAsync("v1/studies", call.Cancellation).ConfigureAwait(false))
            {
                all.Add(s);
            }
            Print(call, all, single: false);
            return ExitCodes.Ok;
        });
        studies.Subcommands.Add(list);

        var study = StudyArgument();
        var get = new Command("get", "Show a study.") { study };
        ApiAction.Set(get, context, options, async call =>
        {
            var id = await Lookup.StudyAsync(call.Client, call.Get(study), call.Cancellation).ConfigureAwait(false);
            Print(call, [await call.Client.GetAsync($"v1/studies/{id}", call.Cancellation).ConfigureAwait(false)]);
            return ExitCodes.Ok;
        });
        studies.Subcommands.Add(get);

        var toDelete = StudyArgument();
        var yes = AdminCommand.Yes("study with its participants and recordings");
        var delete = new Command("delete", "Delete a study with its participants and recordings (rows and blobs). Needs --yes.") { toDelete, yes };
        ApiAction.Set(delete, context, options, async call =>
        {
            AdminCommand.RequireYes(call.Get(yes), "deleting a study erases its participants and recordings");
            var id = await Lookup.StudyAsync(call.Client, call.Get(toDelete), call.Cancellation).ConfigureAwait(false);
            await call.Client.DeleteAsync($"v1/studies/{id}", call.Cancellation).ConfigureAwait(false);
            AdminCommand.Done(call, "deleted", id);
            return ExitCodes.Ok;
        });
        studies.Subcommands.Add(delete);
        return studies;
    }

    private static Argument<string> StudyArgument() => new("study") { Description = "Study id, or its exact name." };

    private static void Print(ApiCall call, List<JsonElement> studies, bool single = true)
    {
        if (call.Output.IsJson)
        {
            if (single)
            {
                call.Output.Json(studies[0]);
            }
            else
            {
                call.Output.Json(studies);
            }
            return;
        }
        call.Output.Table(["id", "name", "description", "created"],
            studies.Select(s => new[] { JsonText.Get(s, "id"), JsonText.Get(s, "name"), JsonText.Get(s, "description"), JsonText.Get(s, "createdAt") }));
    }
}
