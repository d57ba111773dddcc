namespace EmiPlatform.Media;

/// <summary>Why a recording could not be decoded; the API maps these onto problem types.</summary>
public enum MediaErrorKind
{
    NotFound,
    /// <summary>A zero-byte file.</summary>
    Empty,
    /// <summary>ffprobe cannot read it: not a media file, not one of the <see cref="AcceptedFormats"/>, or cut off before its index.</summary>
    Unreadable,
    /// <summary>A readable container with neither an audio nor a video stream.</summary>
    NoStreams,
    /// <summary>A stream ends before the length it declares itself (or its last seconds cannot be decoded).</summary>
    Truncated,
    /// <summary>ffmpeg failed while decoding.</summary>
    DecodeFailed,
    /// <summary>
    /// It declares a size, stream count, duration or rate beyond <see cref="MediaLimits"/>, or decoding it ran past the
    /// wall-clock, CPU-time or memory limit.
    /// </summary>
    OutOfBounds,
    /// <summary>ffmpeg / ffprobe are not installed or not runnable.</summary>
    ToolMissing,
    /// <summary>
    /// Decoded, but nothing to score: only the visual branch applies (no audio, or no audio branch) and the bundle's face
    /// stage never saw a face. The same bytes and bundle give the same result, so it is not worth a retry.
    /// </summary>
    NoFaceSeen,
}
