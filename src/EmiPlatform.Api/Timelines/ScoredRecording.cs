namespace EmiPlatform.Api.Timelines;

/// <summary>
/// A recording with its identifiers and the bundle whose results are reported for it (null: not scored by it), with
/// that result's feature provenance in <see cref="Results.FeatureColumns"/> order when it was read.
/// </summary>
public sealed record ScoredRecording(
    Guid RecordingId,
    Guid StudyId,
    string StudyName,
    Guid ParticipantId,
    string ParticipantCode,
    string FileName,
    string? Stimulus,
    string? Trial,
    BundleInfo? Bundle,
    object?[]? Features = null);
