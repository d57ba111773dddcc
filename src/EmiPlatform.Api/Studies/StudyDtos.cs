using EmiPlatform.Data.Entities;

namespace EmiPlatform.Api.Studies;

public sealed record StudyRequest(string? Name, string? Description);

public sealed record StudyDto(Guid Id, string Name, string? Description, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static StudyDto From(Study s) => new(s.Id, s.Name, s.Description, s.CreatedAt, s.UpdatedAt);
}
