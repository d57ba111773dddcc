namespace EmiPlatform.Media;

/// <summary>
/// How a decoded RGB frame becomes model input: the ffmpeg filter that follows the frame-rate filter, the size of
/// the frames it produces, and the conversion of each frame, in decoding order, into the model's floats.
/// </summary>
internal interface IFrameShaper
{
    /// <summary>The part of <c>-vf</c> after <c>fps=…</c>; it must produce frames of <see cref="FrameBytes"/> rgb24 bytes.</summary>
    string Filter { get; }

    int FrameBytes { get; }

    int FrameFloats { get; }

    void Shape(ReadOnlySpan<byte> frame, Span<float> destination);
}
