using EmiPlatform.Bundles.Features;

namespace EmiPlatform.Inference.Scoring;

/// <summary>A cache entry read back: each segment's features, found by where the segment starts.</summary>
internal sealed class CachedFeatures(FeatureCacheEntry entry) : ISegmentFeatures
{
    private readonly Dictionary<long, FeatureSegment> _segments = entry.Segments.ToDictionary(s => s.StartUnit);

    public FeatureCacheEntry Entry => entry;

    public bool TryGet(Segment segment, out ReadOnlyMemory<float> features, out int steps)
    {
        if (_segments.TryGetValue(segment.StartUnit, out var cached) && cached.Units == segment.Units)
        {
            var values = new float[cached.Features.Length];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = (float)cached.Features[i];
            }

            features = values;
            steps = cached.Steps;
            return true;
        }

        features = default;
        steps = 0;
        return false;
    }

    public void Put(Segment segment, int steps, ReadOnlySpan<float> features)
    {
        // Only reached for a segment the entry lacks (another cut than the one cached): nothing to keep.
    }

    /// <summary>The entry's segments as the engine's segments, without media (heads-only re-scores decode nothing).</summary>
    public IEnumerable<Segment> Segments() =>
        entry.Segments.Select(s => new Segment([], s.Units, s.StartUnit, s.IsFirst, s.IsLast, entry.OverlapUnits));

    /// <summary>Whether a unit (frame) showed the tracked face, from the entry's unseen ranges.</summary>
    public bool Seen(long unit) => !entry.Unseen.Any(r => unit >= r[0] && unit < r[1]);
}
