using EmiPlatform.Inference.Faces;
using EmiPlatform.Media;

namespace EmiPlatform.Cli.Bench;

/// <summary>
/// Keeps the face stage's letterboxed frames as decoded, so that the raw measurement can run the detector and the
/// crops on them without decoding in the way. One float per frame goes to the decoder's buffer, unused.
/// </summary>
internal sealed class LetterboxedFrames(int frameSize) : IFrameShaper
{
    public List<byte[]> Frames { get; } = [];

    public string Filter { get; } = FaceCropFrames.LetterboxFilter(frameSize);

    public int FrameBytes { get; } = frameSize * frameSize * 3;

    public int FrameFloats => 1;

    public void Shape(ReadOnlySpan<byte> frame, Span<float> destination) => Frames.Add(frame.ToArray());
}
