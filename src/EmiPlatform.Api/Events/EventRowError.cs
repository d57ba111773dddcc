namespace EmiPlatform.Api.Events;

/// <summary>One offending row of a refused events request: its CSV row number (the header is row 1) or JSON position (from 1), the recording it names, and why.</summary>
public sealed record EventRowError(int Row, string? Recording, string Message);
