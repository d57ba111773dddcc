using System.CommandLine;
using System.Text.Json;
using EmiPlatform.Cli.Output;

namespace EmiPlatform.Cli.Commands;

/// <summary><c>emi participants create|list|delete --study S</c>.</summary>
internal static class ParticipantsCommand
{
    public static Command Create(CliContext context)
    {
        var options = new ApiOptions();
        var participants = options.AddTo(new Command("participants", "Create, list and delete the participants of a study."));
        var study = StudyOption();

        var codes = new Argument<string[]>("codes") { Description = "Participant codes (unique within the study), e.g. P01 P02.", Arity = ArgumentArity.OneOrMore };
        var create = new Command("create", "Create participants.") { study, codes };
        ApiAction.Set(create, context, options, async call =>
        {
            var studyId = await Lookup.StudyAsync(call.Client, call.Get(study), call.Cancellation).ConfigureAwait(false);
            var created = new List<JsonElement>();
            foreach (var code in call.Get(codes))
            {
                created.Add(await call.Client.PostAsync($"v1/studies/{studyId}/participants", new { code }, call.Cancellation).ConfigureAwait(false));
            }
            Print(call, created);
            return ExitCodes.Ok;
        });
        participants.Subcommands.Add(create);

        var listStudy = StudyOption();
        var list = new Command("list", "List a study's participants.") { listStudy };
        ApiAction.Set(list, context, options, async call =>
        {
            var studyId = await Lookup.StudyAsync(call.Client, call.Get(listStudy), call.Cancellation).ConfigureAwait(false);
            var all = new List<JsonElement>();
            await foreach (var p in call.Client.ListAllAsync($"v1/studies/{studyId}/participants", call.Cancellation).ConfigureAwait(false))
            {
                all.Add(p);
            }
            Print(call, all);
            return ExitCodes.Ok;
        });
        participants.Subcommands.Add(list);

        var deleteStudy = StudyOption();
        var participant = new Argument<string>("participant") { Description = "Participant id or code." };
        var yes = AdminCommand.Yes("participant with their recordings");
        var delete = new Command("delete", "Delete a participant with their recordings (rows and blobs). Needs --yes.") { deleteStudy, participant, yes };
        ApiAction.Set(delete, context, options, async call =>
        {
            AdminCommand.RequireYes(call.Get(yes), "deleting a participant erases their recordings");
            var studyId = await Lookup.StudyAsync(call.Client, call.Get(deleteStudy), call.Cancellation).ConfigureAwait(false);
            var id = await Lookup.ParticipantAsync(call.Client, studyId, call.Get(participant), call.Cancellation).ConfigureAwait(false);
            await call.Client.DeleteAsync($"v1/studies/{studyId}/participants/{id}", call.Cancellation).ConfigureAwait(false);
            AdminCommand.Done(call, "deleted", id);
            return ExitCodes.Ok;
        });
        participants.Subcommands.Add(delete);
        return participants;
    }

    internal static Option<string> StudyOption() => new("--study", "-s") { Description = "Study id, or its exact name.", Required = true };

    private static void Print(ApiCall call, List<JsonElement> participants)
    {
        if (call.Output.IsJson)
        {
            call.Output.Json(participants);
            return;
        }
        call.Output.Table(["id", "code", "metadata", "created"],
            participants.Select(p => new[] { JsonText.Get(p, "id"), JsonText.Get(p, "code"), JsonText.Get(p, "metadata"), JsonText.Get(p, "createdAt") }));
    }
}
