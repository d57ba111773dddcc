namespace EmiPlatform.Api.Events;

/// <summary>A recording's events, with the duration they must lie within.</summary>
public sealed record RecordingEventsDto(Guid RecordingId, double DurationS, IReadOnlyList<EventDto> Events);
