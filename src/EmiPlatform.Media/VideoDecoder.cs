namespace EmiPlatform.Media;

/// <summary>
/// The first video stream resampled to the model's frame rate and shaped into model input by an
/// <see cref="IFrameShaper"/> (the whole frame cover-cropped, or the participant's face crop), one frame at a time.
/// ffmpeg's fps filter picks frames by their timestamps, so variable-frame-rate input comes out as a regular
/// grid: output frame i shows the recording at video start + i / frame rate. ffmpeg applies the display
/// rotation of rotated phone videos before the filters (autorotate).
/// </summary>
internal sealed class VideoDecoder : FfmpegDecoder
{
    private readonly IFrameShaper _shaper;

    private VideoDecoder(FfmpegProcess process, string fileName, IFrameShaper shaper, double frameRate, double expectedSeconds)
        : base(process, fileName, shaper.FrameBytes, shaper.FrameFloats, frameRate, expectedSeconds)
    {
        _shaper = shaper;
    }

    public static VideoDecoder Start(MediaInfo media, IFrameShaper shaper, double frameRate, MediaTools tools, CancellationToken cancellationToken)
    {
        var video = media.Video ?? throw new InvalidOperationException("The recording has no video stream.");
        var filter = $"fps={Invariant(frameRate)},{shaper.Filter}";
        var process = StartProcess(
            media,
            [
                "-map", $"0:{video.Index}", "-an", "-sn", "-dn",
                "-vf", filter,
                "-pix_fmt", "rgb24", "-f", "rawvideo", "pipe:1",
            ],
            tools,
            cancellationToken);
        return new VideoDecoder(process, Path.GetFileName(media.Path), shaper, frameRate, DeclaredSeconds(media, video.Duration));
    }

    // About 4 MB of decoded frames per read, at least one frame.
    protected override int MaxUnitsPerRead => Math.Max(1, (4 << 20) / UnitBytes);

    protected override void Convert(ReadOnlySpan<byte> source, Span<float> destination)
    {
        var frames = source.Length / UnitBytes;
        for (var f = 0; f < frames; f++)
        {
            _shaper.Shape(source.Slice(f * UnitBytes, UnitBytes), destination.Slice(f * UnitFloats, UnitFloats));
        }
    }
}
