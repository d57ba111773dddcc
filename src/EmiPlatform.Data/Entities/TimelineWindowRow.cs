namespace EmiPlatform.Data.Entities;

/// <summary>One window of a recording's timeline as scored by one bundle; values in [0, 1].</summary>
public sealed class TimelineWindowRow
{
    public Guid TenantId { get; set; }
    public Guid RecordingId { get; set; }
    public Guid BundleId { get; set; }
    public Guid JobId { get; set; }
    public int WindowIndex { get; set; }
    public double StartSeconds { get; set; }
    public double EndSeconds { get; set; }
    public float Admiration { get; set; }
    public float Amusement { get; set; }
    public float Determination { get; set; }
    public float EmpathicPain { get; set; }
    public float Excitement { get; set; }
    public float Joy { get; set; }
    public float? Valence { get; set; }
    public float? Arousal { get; set; }
    public float? Dominance { get; set; }

    /// <summary>The audio branch's prediction before fusion, in the bundle's emotion order; null without audio.</summary>
    public float[]? AudioEmi { get; set; }

    /// <summary>The visual branch's prediction before fusion; null without video.</summary>
    public float[]? VisualEmi { get; set; }

    public bool HasAudio { get; set; }
    public bool HasVideo { get; set; }
}
