using EmiPlatform.Bundles.Features;

namespace EmiPlatform.Inference.Scoring;

/// <summary>
/// The feature cache as the pipeline sees it: one recording's backbone features per key. The scoring worker's
/// implementation keeps them in blob storage under the recording (docs/model-bundle.md, "Feature cache").
/// </summary>
public interface IFeatureCache
{
    /// <summary>
    /// The entry for the key, or null: none, or one that did not verify (its hash or its header does not match; the
    /// implementation logs it and drops it, and the pipeline recomputes the features).
    /// </summary>
    Task<FeatureCacheEntry?> ReadAsync(FeatureCacheKey key, CancellationToken cancellationToken);

    /// <summary>Stores a freshly computed entry (an implementation may decline, e.g. over the tenant's cache bound).</summary>
    Task WriteAsync(FeatureCacheKey key, FeatureCacheEntry entry, CancellationToken cancellationToken);
}
