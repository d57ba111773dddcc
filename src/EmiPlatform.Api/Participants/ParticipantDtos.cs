using System.Text.Json;
using EmiPlatform.Data.Entities;

namespace EmiPlatform.Api.Participants;

public sealed record ParticipantRequest(string? Code, JsonElement? Metadata);

public sealed record ParticipantDto(Guid Id, Guid StudyId, string Code, JsonElement? Metadata, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static ParticipantDto From(Participant p) =>
        new(p.Id, p.StudyId, p.Code, p.Metadata?.RootElement.Clone(), p.CreatedAt, p.UpdatedAt);
}
