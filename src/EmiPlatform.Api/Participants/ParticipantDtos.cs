using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using EmiPlatform.Api.Validation;
using EmiPlatform.Data;
using EmiPlatform.Data.Entities;

namespace EmiPlatform.Api.Participants;

public sealed record ParticipantRequest(
    [Required, StringLength(Limits.CodeLength), NoControlCharacters] string Code,
    [ParticipantMetadata] JsonElement? Metadata);

public sealed record ParticipantDto(Guid Id, Guid StudyId, string Code, JsonElement? Metadata, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static ParticipantDto From(Participant p) =>
        new(p.Id, p.StudyId, p.Code, p.Metadata?.RootElement.Clone(), p.CreatedAt, p.UpdatedAt);
}
