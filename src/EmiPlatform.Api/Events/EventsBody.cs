namespace EmiPlatform.Api.Events;

/// <summary>The JSON body of <c>PUT /v1/recordings/{id}/events</c>: the recording's complete list (an empty list clears it).</summary>
public sealed record EventsBody(List<EventInput>? Events);
