using EmiPlatform.Bundles.Features;

namespace EmiPlatform.Inference.Scoring;

/// <summary>
/// Keeps the features a first score's backbone computes, as half floats, so they can go to the feature cache once the
/// branch has finished.
/// </summary>
internal sealed class FeatureRecorder(FeatureCacheKey key, int width, double unitsPerSecond, int overlapUnits) : ISegmentFeatures
{
    private readonly Lock _lock = new();
    private readonly List<FeatureSegment> _segments = [];

    public bool TryGet(Segment segment, out ReadOnlyMemory<float> features, out int steps)
    {
        features = default;
        steps = 0;
        return false;
    }

    public void Put(Segment segment, int steps, ReadOnlySpan<float> features)
    {
        var half = new Half[features.Length];
        for (var i = 0; i < half.Length; i++)
        {
            half[i] = (Half)features[i];
        }

        lock (_lock)
        {
            _segments.Add(new FeatureSegment(segment.StartUnit, segment.Units, steps, segment.IsFirst, segment.IsLast, half));
        }
    }

    /// <param name="seen">visual: whether a frame showed the tracked face (null: every frame counts)</param>
    public FeatureCacheEntry ToEntry(Func<long, bool>? seen)
    {
        List<FeatureSegment> segments;
        lock (_lock)
        {
            segments = [.. _segments.OrderBy(s => s.StartUnit)];
        }

        var unseen = new List<long[]>();
        if (seen is not null && segments.Count > 0)
        {
            var end = segments[^1].StartUnit + segments[^1].Units;
            for (long unit = 0; unit < end; unit++)
            {
                if (seen(unit))
                {
                    continue;
                }

                if (unseen.Count > 0 && unseen[^1][1] == unit)
                {
                    unseen[^1][1] = unit + 1;
                }
                else
                {
                    unseen.Add([unit, unit + 1]);
                }
            }
        }

        return new FeatureCacheEntry
        {
            KeySha256 = key.Sha256,
            RecordingSha256 = key.RecordingSha256,
            Branch = key.Branch,
            BackboneSha256 = key.BackboneSha256,
            Decoding = key.Decoding,
            Width = width,
            UnitsPerSecond = unitsPerSecond,
            OverlapUnits = overlapUnits,
            Segments = segments,
            Unseen = unseen,
        };
    }
}
