namespace EmiPlatform.Media;

/// <summary>
/// The containers labs record in, by ffmpeg demuxer name: the only ones ffmpeg may open (<c>-format_whitelist</c>).
/// None of them refers to other files or URLs, so a playlist (hls, dash), a concatenation list (concat), an SDP or IMF
/// description, an image sequence or any other of ffmpeg's demuxers is refused before it can open anything else.
/// docs/api.md lists the same names; a test makes a file of each and checks it is accepted.
/// </summary>
public static class AcceptedFormats
{
    public static IReadOnlyList<string> Demuxers { get; } =
    [
        "mov",      // .mp4 .mov .m4a .3gp
        "matroska", // .mkv .webm
        "avi",
        "mpegts",   // .ts .mts .m2ts (camcorders)
        "mpeg",     // .mpg .vob (program stream)
        "asf",      // .wmv .wma
        "wav",
        "w64",      // Sony Wave64 (field recorders, over 4 GB)
        "aiff",
        "caf",
        "mp3",
        "flac",
        "ogg",      // .ogg .oga .opus .ogv
        "aac",      // raw ADTS
    ];

    internal static string Whitelist { get; } = string.Join(',', Demuxers);

    /// <summary>
    /// The accepted demuxer a probed format name (ffprobe's <c>format_name</c>, e.g. <c>mov,mp4,m4a,3gp,3g2,mj2</c>)
    /// belongs to; null when it is none of them.
    /// </summary>
    public static string? DemuxerOf(string formatName) =>
        formatName.Split(',', StringSplitOptions.TrimEntries).FirstOrDefault(name => Demuxers.Contains(name, StringComparer.Ordinal));

    /// <summary>The demuxer to pin for a recording probed before (at upload, or a stored probe); refuses any other format.</summary>
    internal static string DemuxerFor(MediaInfo media) =>
        DemuxerOf(media.FormatName) ?? throw new MediaDecodeException(
            MediaErrorKind.Unreadable,
            $"'{Path.GetFileName(media.Path)}' is a {media.FormatName} file, not a recording in one of the accepted containers ({string.Join(", ", Demuxers)}).");
}
