namespace EmiPlatform.Inference.Scoring;

/// <summary>
/// The scores of one recording: its timeline, one aggregate over the whole recording (the mean of the windows),
/// which modalities it had, and which bundle, execution provider and device ("cpu", "cuda:0") produced the numbers.
/// </summary>
public sealed record ScoringResult(
    string BundleName,
    string BundleVersion,
    bool BundleTrained,
    string ExecutionProvider,
    string Device,
    double DurationSeconds,
    bool HasAudio,
    bool HasVideo,
    IReadOnlyList<string> Emotions,
    IReadOnlyList<string> VadNames,
    IReadOnlyList<TimelineWindow> Windows,
    TimelineWindow? Aggregate)
{
    /// <summary>Per branch scored: the backbone that made its features and whether they came from the feature cache.</summary>
    public IReadOnlyList<BranchFeatures> Features { get; init; } = [];
}
