namespace EmiPlatform.Inference.Media;

/// <summary>
/// The first video stream resampled to the model's frame rate, scaled to cover the model's image size and
/// centre-cropped, as normalised planar RGB floats ((pixel/255 - mean) / std, channel-first).
/// ffmpeg's fps filter picks frames by their timestamps, so variable-frame-rate input comes out as a regular
/// grid: output frame i shows the recording at video start + i / frame rate. ffmpeg applies the display
/// rotation of rotated phone videos before the filters (autorotate).
/// </summary>
internal sealed class VideoDecoder : FfmpegDecoder
{
    private readonly float[][] _lookup;
    private readonly int _pixels;

    private VideoDecoder(FfmpegProcess process, string fileName, int height, int width, double frameRate, double expectedSeconds, IReadOnlyList<float> mean, IReadOnlyList<float> std)
        : base(process, fileName, height * width * 3, height * width * 3, frameRate, expectedSeconds)
    {
        _pixels = height * width;
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

    public static VideoDecoder Start(MediaInfo media, int height, int width, double frameRate, IReadOnlyList<float> mean, IReadOnlyList<float> std, MediaTools tools, CancellationToken cancellationToken)
    {
        var video = media.Video ?? throw new InvalidOperationException("The recording has no video stream.");
        var filter = $"fps={Invariant(frameRate)},scale={width}:{height}:force_original_aspect_ratio=increase,crop={width}:{height}";
        var process = StartProcess(
            media,
            [
                "-map", $"0:{video.Index}", "-an", "-sn", "-dn",
                "-vf", filter,
                "-pix_fmt", "rgb24", "-f", "rawvideo", "pipe:1",
            ],
            tools,
            cancellationToken);
        return new VideoDecoder(process, Path.GetFileName(media.Path), height, width, frameRate, video.Duration ?? media.Duration, mean, std);
    }

    protected override void Convert(ReadOnlySpan<byte> source, Span<float> destination)
    {
        var frameBytes = _pixels * 3;
        var frames = source.Length / frameBytes;
        var r = _lookup[0];
        var g = _lookup[1];
        var b = _lookup[2];
        for (var f = 0; f < frames; f++)
        {
            var src = source.Slice(f * frameBytes, frameBytes);
            var dst = destination.Slice(f * frameBytes, frameBytes);
            var red = dst[.._pixels];
            var green = dst.Slice(_pixels, _pixels);
            var blue = dst.Slice(2 * _pixels, _pixels);
            for (var p = 0; p < _pixels; p++)
            {
                red[p] = r[src[3 * p]];
                green[p] = g[src[(3 * p) + 1]];
                blue[p] = b[src[(3 * p) + 2]];
            }
        }
    }
}
