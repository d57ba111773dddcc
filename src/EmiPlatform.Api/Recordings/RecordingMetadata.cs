namespace EmiPlatform.Api.Recordings;

/// <summary>What the client says about a recording; the bytes say the rest (ffprobe).</summary>
public sealed record RecordingMetadata(string? Stimulus, string? Trial, string? FileName, string? ContentType);
