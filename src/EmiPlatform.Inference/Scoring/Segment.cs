using System.Buffers;

namespace EmiPlatform.Inference.Scoring;

/// <summary>
/// One model-input segment: <see cref="Units"/> samples or frames starting at unit <see cref="StartUnit"/> of the
/// stream, in a pooled buffer the consumer returns. Neighbouring segments overlap; each owns the half of the
/// overlap nearest to it, so every instant of the stream is predicted by exactly one segment.
/// </summary>
internal sealed class Segment(float[] buffer, int units, long startUnit, bool isFirst, bool isLast, int overlapUnits)
{
    public float[] Buffer { get; private set; } = buffer;

    public int Units { get; } = units;

    public long StartUnit { get; } = startUnit;

    public bool IsFirst { get; } = isFirst;

    public bool IsLast { get; } = isLast;

    /// <summary>First owned instant, in units from the stream start.</summary>
    public double OwnedFrom => IsFirst ? double.NegativeInfinity : StartUnit + (overlapUnits / 2.0);

    /// <summary>End of the owned range (exclusive), in units from the stream start.</summary>
    public double OwnedUntil => IsLast ? double.PositiveInfinity : StartUnit + Units - (overlapUnits / 2.0);

    public void Release()
    {
        if (Buffer.Length > 0)
        {
            ArrayPool<float>.Shared.Return(Buffer);
            Buffer = [];
        }
    }
}
