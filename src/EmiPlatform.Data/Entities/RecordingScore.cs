namespace EmiPlatform.Data.Entities;

/// <summary>The aggregate over a whole recording (mean of its windows), per recording and bundle.</summary>
public sealed class RecordingScore
{
    public Guid TenantId { get; set; }
    public Guid RecordingId { get; set; }
    public Guid BundleId { get; set; }
    public Guid JobId { get; set; }
    public double DurationSeconds { get; set; }
    public int WindowCount { get; set; }
    public float Admiration { get; set; }
    public float Amusement { get; set; }
    public float Determination { get; set; }
    public float EmpathicPain { get; set; }
    public float Excitement { get; set; }
    public float Joy { get; set; }
    public float? Valence { get; set; }
    public float? Arousal { get; set; }
    public float? Dominance { get; set; }
    public bool HasAudio { get; set; }
    public bool HasVideo { get; set; }
    public DateTimeOffset ScoredAt { get; set; }
}
