namespace EmiPlatform.Inference.Scoring;

/// <summary>
/// Averages per-step predictions into timeline windows as they arrive: window k spans
/// [k * hop, k * hop + window). Memory grows with the number of windows, not with the number of steps.
/// </summary>
internal sealed class WindowAccumulator(double window, double hop, int channels)
{
    private readonly List<double[]> _sums = [];
    private readonly List<int> _counts = [];

    public int Channels { get; } = channels;

    public int WindowCount => _counts.Count;

    public void Add(double time, ReadOnlySpan<float> values)
    {
        if (time < 0 || double.IsNaN(time))
        {
            return;
        }

        var last = (int)Math.Floor(time / hop);
        var first = Math.Max(0, (int)Math.Floor((time - window) / hop) + 1);
        while (_counts.Count <= last)
        {
            _sums.Add(new double[Channels]);
            _counts.Add(0);
        }

        for (var k = first; k <= last; k++)
        {
            var sums = _sums[k];
            for (var c = 0; c < Channels; c++)
            {
                sums[c] += values[c];
            }

            _counts[k]++;
        }
    }

    public bool Has(int k) => k < _counts.Count && _counts[k] > 0;

    public float[] Mean(int k)
    {
        var result = new float[Channels];
        var n = _counts[k];
        for (var c = 0; c < Channels; c++)
        {
            result[c] = (float)(_sums[k][c] / n);
        }

        return result;
    }
}
