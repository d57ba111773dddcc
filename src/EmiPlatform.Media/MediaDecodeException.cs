namespace EmiPlatform.Media;

/// <summary>A recording that cannot be decoded, with a typed reason and ffmpeg's own words where it gave any.</summary>
public sealed class MediaDecodeException(MediaErrorKind kind, string message, Exception? inner = null)
    : Exception(message, inner)
{
    public MediaErrorKind Kind { get; } = kind;
}
