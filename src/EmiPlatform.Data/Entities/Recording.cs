using EmiPlatform.Data.Tenancy;

namespace EmiPlatform.Data.Entities;

/// <summary>An uploaded audio or video file of one participant, with what ffprobe found in it.</summary>
public sealed class Recording : ITenantOwned
{
    public Guid Id { get; set; }
    public Guid TenantId { get; set; }
    public Guid StudyId { get; set; }
    public Guid ParticipantId { get; set; }

    /// <summary>The stimulus video the participant was mimicking.</summary>
    public string? Stimulus { get; set; }

    /// <summary>Trial or session label.</summary>
    public string? Trial { get; set; }

    public required string OriginalFileName { get; set; }
    public required string ContentType { get; set; }
    public long SizeBytes { get; set; }

    /// <summary>Lowercase hex SHA-256 of the bytes; the same bytes for the same participant are one recording.</summary>
    public required string Sha256 { get; set; }

    public required string BlobName { get; set; }
    public double DurationSeconds { get; set; }
    public required string FormatName { get; set; }
    public string? AudioCodec { get; set; }
    public int? SampleRate { get; set; }
    public int? AudioChannels { get; set; }
    public string? VideoCodec { get; set; }
    public int? Width { get; set; }
    public int? Height { get; set; }
    public double? FrameRate { get; set; }
    public int? Rotation { get; set; }

    /// <summary>The probe result as JSON (EmiPlatform.Media.StoredMediaInfo), read by the scoring worker.</summary>
    public string? Media { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}
