namespace EmiPlatform.Abstractions.Studies;

/// <summary>A stored, probed upload the study grain is asked to register, with the bundle its first job scores with.</summary>
[GenerateSerializer, Immutable, Alias("emi.RecordingRegistration")]
public sealed record RecordingRegistration(
    [property: Id(0)] Guid RecordingId,
    [property: Id(1)] Guid ParticipantId,
    [property: Id(2)] Guid BundleId,
    [property: Id(3)] string? Stimulus,
    [property: Id(4)] string? Trial,
    [property: Id(5)] string OriginalFileName,
    [property: Id(6)] string ContentType,
    [property: Id(7)] long SizeBytes,
    [property: Id(8)] string Sha256,
    [property: Id(9)] string BlobName,
    [property: Id(10)] RecordingMedia Media);

/// <summary>What ffprobe found in the upload; <see cref="Stored"/> is the probe as the scoring worker reads it back.</summary>
[GenerateSerializer, Immutable, Alias("emi.RecordingMedia")]
public sealed record RecordingMedia(
    [property: Id(0)] double DurationSeconds,
    [property: Id(1)] string FormatName,
    [property: Id(2)] string? AudioCodec,
    [property: Id(3)] int? SampleRate,
    [property: Id(4)] int? AudioChannels,
    [property: Id(5)] string? VideoCodec,
    [property: Id(6)] int? Width,
    [property: Id(7)] int? Height,
    [property: Id(8)] double? FrameRate,
    [property: Id(9)] int? Rotation,
    [property: Id(10)] string? Stored);
