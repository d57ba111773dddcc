using System.Text.Json.Serialization;

namespace EmiPlatform.Api.Events;

/// <summary>A stored event: its position in the recording by onset (from 0), its span in seconds, kind and labels.</summary>
public sealed record EventDto(
    [property: JsonPropertyName("index")] int Index,
    [property: JsonPropertyName("onset_s")] double OnsetS,
    [property: JsonPropertyName("offset_s")] double OffsetS,
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("stimulus")] string? Stimulus,
    [property: JsonPropertyName("trial")] string? Trial,
    [property: JsonPropertyName("condition")] string? Condition);
