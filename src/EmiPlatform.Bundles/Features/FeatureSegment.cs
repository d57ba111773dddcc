namespace EmiPlatform.Bundles.Features;

/// <summary>
/// One segment's backbone features in a cache entry: the segment as the engine cut it (<see cref="StartUnit"/>,
/// <see cref="Units"/> samples or frames, first/last for the ownership of overlaps) and its features, steps × width, row-major, as half floats (what the cache stores; half the memory of float32).
/// </summary>
public sealed record FeatureSegment(long StartUnit, int Units, int Steps, bool IsFirst, bool IsLast, Half[] Features);
