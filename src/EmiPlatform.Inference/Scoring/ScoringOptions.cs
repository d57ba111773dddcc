namespace EmiPlatform.Inference.Scoring;

/// <summary>How a recording's per-step predictions become a timeline.</summary>
public sealed record ScoringOptions
{
    /// <summary>Length of one timeline window (default 1 s).</summary>
    public TimeSpan Window { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Distance between window starts (default 1 s: adjacent, non-overlapping windows).</summary>
    public TimeSpan Hop { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Segments per ONNX Runtime call. Only equal-length segments share a batch (padding would change the
    /// segment mean the audio model uses), so the short last segment always runs alone.
    /// </summary>
    public int BatchSize { get; init; } = 1;

    /// <summary>
    /// Whether the audio and visual branches run inference at the same time (default). Off, they take turns
    /// segment by segment while both decoders keep streaming: slightly lower peak memory (activations of one
    /// branch at a time), measured slower on 2 cores.
    /// </summary>
    public bool ConcurrentBranches { get; init; } = true;

    /// <summary>Where each backbone's features of the recording are read from and stored; null: always run the backbones.</summary>
    public IFeatureCache? FeatureCache { get; init; }

    /// <summary>SHA-256 of the recording's bytes: with <see cref="FeatureCache"/>, the cache key's first part.</summary>
    public string? RecordingSha256 { get; init; }

    internal void Validate()
    {
        if (FeatureCache is not null && string.IsNullOrWhiteSpace(RecordingSha256))
        {
            throw new ArgumentException("A feature cache needs the recording's SHA-256.");
        }

        if (Window <= TimeSpan.Zero || Hop <= TimeSpan.Zero)
        {
            throw new ArgumentException("Window and hop must be positive.");
        }

        if (BatchSize < 1)
        {
            throw new ArgumentException("Batch size must be at least 1.");
        }
    }
}
