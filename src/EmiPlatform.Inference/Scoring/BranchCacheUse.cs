using EmiPlatform.Bundles.Features;

namespace EmiPlatform.Inference.Scoring;

/// <summary>
/// A branch's use of the feature cache in one score: the entry found (heads-only), or the recorder keeping what the
/// backbone computes and, once the branch has finished, the entry to store.
/// </summary>
internal sealed class BranchCacheUse(FeatureCacheKey key, CachedFeatures? hit, FeatureRecorder? recorder)
{
    public FeatureCacheKey Key => key;

    public CachedFeatures? Hit => hit;

    public FeatureRecorder? Recorder => recorder;

    public ISegmentFeatures? Features => (ISegmentFeatures?)hit ?? recorder;

    /// <summary>Set when the branch has finished with the recorder: what goes to the cache.</summary>
    public FeatureCacheEntry? ToStore { get; set; }
}
