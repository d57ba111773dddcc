using System.Text.Json.Serialization;

namespace EmiPlatform.Api.Events;

/// <summary>
/// One event as a lab sends it (JSON body or CSV row; the same names): onset and offset (or duration) in seconds from
/// the recording's start, a kind (default <c>stimulus</c>) and optional labels. Validated by <see cref="EventValidator"/>.
/// </summary>
public sealed record EventInput(
    [property: JsonPropertyName("onset_s")] double? OnsetS,
    [property: JsonPropertyName("offset_s")] double? OffsetS,
    [property: JsonPropertyName("duration_s")] double? DurationS,
    [property: JsonPropertyName("kind")] string? Kind,
    [property: JsonPropertyName("stimulus")] string? Stimulus,
    [property: JsonPropertyName("trial")] string? Trial,
    [property: JsonPropertyName("condition")] string? Condition);
