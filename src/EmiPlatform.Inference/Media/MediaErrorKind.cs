namespace EmiPlatform.Inference.Media;

/// <summary>Why a recording could not be decoded; the API maps these onto problem types.</summary>
public enum MediaErrorKind
{
    NotFound,
    /// <summary>A zero-byte file.</summary>
    Empty,
    /// <summary>ffprobe cannot read it: not a media file, an unsupported container, or cut off before its index.</summary>
    Unreadable,
    /// <summary>A readable container with neither an audio nor a video stream.</summary>
    NoStreams,
    /// <summary>The file ends before the duration its header announces.</summary>
    Truncated,
    /// <summary>ffmpeg failed while decoding.</summary>
    DecodeFailed,
    /// <summary>ffmpeg / ffprobe are not installed or not runnable.</summary>
    ToolMissing,
}
