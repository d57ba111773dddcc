namespace EmiPlatform.Inference.Scoring;

/// <summary>
/// Where a recording's backbone features come from and go between a branch's two graphs: the feature cache's entry
/// being read (heads-only) or being written (first score).
/// </summary>
internal interface ISegmentFeatures
{
    /// <summary>The segment's features [steps, width] when they are known already; false: run the backbone.</summary>
    bool TryGet(Segment segment, out ReadOnlyMemory<float> features, out int steps);

    /// <summary>The features the backbone just computed for the segment.</summary>
    void Put(Segment segment, int steps, ReadOnlySpan<float> features);
}
