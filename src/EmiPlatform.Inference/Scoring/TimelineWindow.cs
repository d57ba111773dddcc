namespace EmiPlatform.Inference.Scoring;

/// <summary>
/// One timeline window. <see cref="Emi"/> is the late fusion of the branches that have predictions in the window
/// (fusion weights normalised over those branches); <see cref="Vad"/> comes from the audio branch (null without
/// audio); the per-branch EMI values are null where that branch has no predictions. All values are in [0, 1],
/// ordered as the bundle's emotions / VAD names.
/// </summary>
public sealed record TimelineWindow(
    double StartSeconds,
    double EndSeconds,
    IReadOnlyList<float> Emi,
    IReadOnlyList<float>? Vad,
    IReadOnlyList<float>? AudioEmi,
    IReadOnlyList<float>? VisualEmi);
