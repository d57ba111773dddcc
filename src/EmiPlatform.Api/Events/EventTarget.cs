namespace EmiPlatform.Api.Events;

/// <summary>A recording events may be set on: its id, original file name, participant code and probed duration.</summary>
public sealed record EventTarget(Guid Id, string FileName, string ParticipantCode, double DurationS);
