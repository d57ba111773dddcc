namespace EmiPlatform.Api.Events;

/// <summary>A row read from a request, before validation: where it came from, the recording it names (bulk imports) and the event.</summary>
public sealed record EventCandidate(int Row, Guid? RecordingId, string? FileName, string? Participant, EventInput Input)
{
    /// <summary>The recording as the row names it, for error messages.</summary>
    public string? Names => RecordingId?.ToString() ?? FileName;
}
