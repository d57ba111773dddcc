using System.ComponentModel.DataAnnotations;
using EmiPlatform.Api.Validation;
using EmiPlatform.Data;
using EmiPlatform.Data.Entities;

namespace EmiPlatform.Api.Studies;

public sealed record StudyRequest(
    [Required, StringLength(Limits.NameLength), NoControlCharacters] string Name,
    [StringLength(Limits.DescriptionLength), NoControlCharacters(Multiline = true)] string? Description);

public sealed record StudyDto(Guid Id, string Name, string? Description, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static StudyDto From(Study s) => new(s.Id, s.Name, s.Description, s.CreatedAt, s.UpdatedAt);
}
