namespace EmiPlatform.Api.Events;

/// <summary>What <see cref="EventRows.Read"/> found: the rows, the rows in error, or a refusal of the whole file (<see cref="TooMany"/>: over the row bound).</summary>
public sealed record EventRowsRead(List<EventCandidate> Rows, List<EventRowError> Errors, string? Refusal, bool TooMany)
{
    public static EventRowsRead Refused(string why, bool tooMany = false) => new([], [], why, tooMany);
}
