namespace EmiPlatform.Api.Events;

/// <summary>What a study's bulk import set: how many events on how many recordings (each recording's list replaced whole).</summary>
public sealed record EventImportDto(Guid StudyId, int Recordings, int Events);
