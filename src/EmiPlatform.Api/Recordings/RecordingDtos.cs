using System.ComponentModel.DataAnnotations;
using EmiPlatform.Api.Validation;
using EmiPlatform.Data;
using EmiPlatform.Data.Entities;

namespace EmiPlatform.Api.Recordings;

public sealed record RecordingDto(
    Guid Id, Guid StudyId, Guid ParticipantId, string? Stimulus, string? Trial, string OriginalFileName, string ContentType,
    long SizeBytes, string Sha256, double DurationSeconds, string FormatName, bool HasAudio, bool HasVideo,
    string? AudioCodec, int? SampleRate, int? AudioChannels, string? VideoCodec, int? Width, int? Height, double? FrameRate,
    int? Rotation, DateTimeOffset CreatedAt)
{
    public static RecordingDto From(Recording r) => new(
        r.Id, r.StudyId, r.ParticipantId, r.Stimulus, r.Trial, r.OriginalFileName, r.ContentType, r.SizeBytes, r.Sha256,
        r.DurationSeconds, r.FormatName, r.AudioCodec is not null, r.VideoCodec is not null, r.AudioCodec, r.SampleRate,
        r.AudioChannels, r.VideoCodec, r.Width, r.Height, r.FrameRate, r.Rotation, r.CreatedAt);
}

/// <summary>
/// Where to PUT a large file directly (a short-lived write SAS), and the id to complete it under. Until it is completed
/// or <see cref="ExpiresAt"/>, the upload holds <see cref="ReservedBytes"/> of the tenant's storage quota.
/// </summary>
public sealed record DirectUploadDto(Guid RecordingId, Uri UploadUrl, DateTimeOffset ExpiresAt, string CompleteUrl, long? SizeBytes, long ReservedBytes);

/// <summary>
/// The optional body of a direct upload's start. <see cref="SizeBytes"/>, the file's size, is what the upload reserves of
/// the quota (without it, the largest recording accepted), and complete refuses a larger blob.
/// </summary>
public sealed record StartUploadRequest([Range(1, long.MaxValue, ErrorMessage = "must be 1 or more")] long? SizeBytes);

/// <summary>
/// The read SAS that <c>content</c> redirects to, as data: a browser can neither send the API key with a media element's
/// request nor read a cross-origin redirect's Location, so the dashboard asks for the link and gives it to its player.
/// </summary>
public sealed record ContentLinkDto(Uri Url, DateTimeOffset ExpiresAt);

/// <summary><see cref="FileName"/> is sanitised (<see cref="FileNames"/>), not refused: it is a label, and clients send whatever their file system had.</summary>
public sealed record CompleteUploadRequest(
    string? FileName,
    [StringLength(Limits.NameLength), NoControlCharacters] string? ContentType,
    [StringLength(Limits.NameLength), NoControlCharacters] string? Stimulus,
    [StringLength(Limits.NameLength), NoControlCharacters] string? Trial);
