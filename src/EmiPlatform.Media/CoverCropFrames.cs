namespace EmiPlatform.Media;

/// <summary>
/// The whole frame, scaled to cover the model's image size keeping its aspect ratio and centre-cropped, as
/// normalised planar RGB floats ((pixel/255 - mean) / std, channel-first): the visual branch without a face stage.
/// </summary>
internal sealed class CoverCropFrames : IFrameShaper
{
    private readonly float[][] _lookup;
    private readonly int _pixels;

    public CoverCropFrames(int height, int width, IReadOnlyList<float> mean, IReadOnlyList<float> std)
    {
        _pixels = height * width;
        Filter = $"scale={width}:{height}:force_original_aspect_ratio=increase,crop={width}:{height}";
        _lookup = new float[3][];
        for (var c = 0; c < 3; c++)
        {
            _lookup[c] = new float[256];
            for (var v = 0; v < 256; v++)
            {
                _lookup[c][v] = ((v / 255f) - mean[c]) / std[c];
            }
        }
    }

    public string Filter { get; }

    public int FrameBytes => _pixels * 3;

    public int FrameFloats => _pixels * 3;

    public void Shape(ReadOnlySpan<byte> frame, Span<float> destination)
    {
        var red = destination[.._pixels];
        var green = destination.Slice(_pixels, _pixels);
        var blue = destination.Slice(2 * _pixels, _pixels);
        var r = _lookup[0];
        var g = _lookup[1];
        var b = _lookup[2];
        for (var p = 0; p < _pixels; p++)
        {
            red[p] = r[frame[3 * p]];
            green[p] = g[frame[(3 * p) + 1]];
            blue[p] = b[frame[(3 * p) + 2]];
        }
    }
}
