using System.Net;
using EmiPlatform.Cli.Http;
using EmiPlatform.Cli.Output;

namespace EmiPlatform.Cli.Commands;

/// <summary>Lets people name studies and participants as they know them (name, code) as well as by id.</summary>
internal static class Lookup
{
    public static async Task<Guid> StudyAsync(EmiClient client, string idOrName, CancellationToken ct)
    {
        if (Guid.TryParse(idOrName, out var id))
        {
            return id;
        }
        var matches = new List<Guid>();
        await foreach (var study in client.ListAllAsync("v1/studies", ct).ConfigureAwait(false))
        {
            if (string.Equals(JsonText.Get(study, "name"), idOrName, StringComparison.Ordinal))
            {
                matches.Add(JsonText.Id(study));
            }
        }
        return matches.Count switch
        {
            1 => matches[0],
            0 => throw NotFound($"No study named '{idOrName}' (see `emi studies list`)."),
            _ => throw new UsageException($"{matches.Count} studies are named '{idOrName}': use the study's id."),
        };
    }

    public static async Task<Guid> ParticipantAsync(EmiClient client, Guid studyId, string idOrCode, CancellationToken ct)
    {
        if (Guid.TryParse(idOrCode, out var id))
        {
            return id;
        }
        await foreach (var participant in client.ListAllAsync($"v1/studies/{studyId}/participants", ct).ConfigureAwait(false))
        {
            if (string.Equals(JsonText.Get(participant, "code"), idOrCode, StringComparison.Ordinal))
            {
                return JsonText.Id(participant);
            }
        }
        throw NotFound($"No participant with code '{idOrCode}' in study {studyId}.");
    }

    private static ApiException NotFound(string detail) =>
        new(HttpStatusCode.NotFound, "urn:emi-platform:problem:not-found", "Not found", detail, new Dictionary<string, string[]>(), null, null);
}
