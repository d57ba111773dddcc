using System.Globalization;
using System.Text.Json;

namespace EmiPlatform.Media;

/// <summary>Reads a recording's duration, streams, codecs, rotation and frame rate with ffprobe.</summary>
public static class MediaProbe
{
    public static async Task<MediaInfo> ProbeAsync(string path, MediaTools tools, CancellationToken cancellationToken)
    {
        var file = new FileInfo(path);
        if (!file.Exists)
        {
            throw new MediaDecodeException(MediaErrorKind.NotFound, $"Recording not found: '{path}'.");
        }

        if (file.Length == 0)
        {
            throw new MediaDecodeException(MediaErrorKind.Empty, $"'{file.Name}' is empty (0 bytes).");
        }

        var info = await ProbeAsync(MediaSource.File(file.FullName), tools, cancellationToken).ConfigureAwait(false);
        return info with { Path = file.FullName };
    }

    /// <summary>
    /// Probes a URL ffprobe can read with range requests (e.g. a read SAS of a blob), so an upload is checked where it
    /// lies instead of being copied to disk first. <paramref name="displayName"/> stands in for the URL in messages.
    /// </summary>
    public static Task<MediaInfo> ProbeAsync(Uri url, string displayName, MediaTools tools, CancellationToken cancellationToken) =>
        ProbeAsync(MediaSource.Http(url, displayName), tools, cancellationToken);

    /// <summary>
    /// Only the fields <see cref="Parse"/> reads. Without this ffprobe prints every tag, and a file's tags can be
    /// megabytes each (a 4 MB tag of 0x01 bytes is 24 MB of JSON escapes), all of it read by the API host.
    /// </summary>
    private const string Entries =
        "format=format_name,start_time,duration"
        + ":stream=index,codec_type,codec_name,sample_rate,channels,width,height,avg_frame_rate,r_frame_rate,start_time,duration"
        + ":stream_disposition=attached_pic:stream_tags=rotate,DURATION:stream_side_data=rotation";

    /// <summary>Probes <paramref name="source"/>; the returned <see cref="MediaInfo.Path"/> is its display name.</summary>
    public static async Task<MediaInfo> ProbeAsync(MediaSource source, MediaTools tools, CancellationToken cancellationToken)
    {
        byte[] json;
        await using (var process = FfmpegProcess.Start(
            tools.Ffprobe,
            ["-v", "error", "-print_format", "json", "-show_entries", Entries],
            source,
            demuxer: null,
            [],
            tools.Limits.ProbeBudget,
            cancellationToken))
        {
            json = await ReadCappedAsync(process.Stdout, source.DisplayName, tools.Limits.MaxProbeOutputBytes, cancellationToken).ConfigureAwait(false);
            var (exitCode, stderr) = await process.WaitAsync(cancellationToken).ConfigureAwait(false);
            if (exitCode != 0)
            {
                throw new MediaDecodeException(MediaErrorKind.Unreadable, Unreadable(source.DisplayName, stderr));
            }
        }

        return Parse(source.DisplayName, json, tools.Limits);
    }

    // Even the fields asked for can be long (a stream's rotate tag is free text): past the cap the probe stops, and the
    // disposal of the process kills ffprobe.
    private static async Task<byte[]> ReadCappedAsync(Stream stdout, string displayName, int cap, CancellationToken cancellationToken)
    {
        using var json = new MemoryStream();
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await stdout.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (json.Length + read > cap)
            {
                throw new MediaDecodeException(
                    MediaErrorKind.OutOfBounds,
                    string.Create(CultureInfo.InvariantCulture,
                        $"'{displayName}' describes its streams in more than {cap / 1024} KiB (ffprobe's answer for the fields the platform reads, " +
                        $"Media:MaxProbeOutputBytes): no recording needs that much, so its metadata is refused (docs/api.md, media limits)."));
            }
            json.Write(buffer, 0, read);
        }
        return json.ToArray();
    }

    // ffmpeg names the demuxer it refused ("[hls @ 0x…] Format not on whitelist"): say what the file is and why it is refused.
    private static string Unreadable(string displayName, string stderr)
    {
        const string refused = " @ ";
        foreach (var line in stderr.Split('\n'))
        {
            if (line.Contains("Format not on whitelist", StringComparison.Ordinal) && line.StartsWith('[') && line.IndexOf(refused, StringComparison.Ordinal) is > 1 and var at)
            {
                return $"'{displayName}' is a {line[1..at]} file, not a recording in one of the accepted containers ({string.Join(", ", AcceptedFormats.Demuxers)}); " +
                    "playlists, concatenation lists and other files that refer to further files or URLs are refused.";
            }
        }
        return $"'{displayName}' is not a readable audio or video file (ffprobe: {LastLine(stderr)}).";
    }

    internal static MediaInfo Parse(string path, ReadOnlyMemory<byte> json, MediaLimits limits)
    {
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        var fileName = System.IO.Path.GetFileName(path);
        var format = root.TryGetProperty("format", out var f) ? f : default;
        var formatName = format.ValueKind == JsonValueKind.Object ? Str(format, "format_name") ?? "unknown" : "unknown";
        var containerStart = format.ValueKind == JsonValueKind.Object ? Num(format, "start_time") ?? 0 : 0;
        var duration = format.ValueKind == JsonValueKind.Object ? Num(format, "duration") : null;
        MediaBounds.CheckDuration(fileName, duration, limits);
        if (root.TryGetProperty("streams", out var all))
        {
            MediaBounds.CheckStreamCount(fileName, all.GetArrayLength(), limits);
        }

        AudioStreamInfo? audio = null;
        VideoStreamInfo? video = null;
        if (root.TryGetProperty("streams", out var streams))
        {
            foreach (var s in streams.EnumerateArray())
            {
                var type = Str(s, "codec_type");
                var index = s.TryGetProperty("index", out var i) ? i.GetInt32() : 0;
                CheckBounds(fileName, type, s, limits);
                if (type == "audio" && audio is null)
                {
                    audio = new AudioStreamInfo(
                        index,
                        Str(s, "codec_name") ?? "unknown",
                        (int)(Num(s, "sample_rate") ?? 0),
                        s.TryGetProperty("channels", out var ch) ? ch.GetInt32() : 0,
                        (Num(s, "start_time") ?? containerStart) - containerStart,
                        StreamDuration(s));
                }
                else if (type == "video" && video is null && !IsAttachedPicture(s))
                {
                    video = new VideoStreamInfo(
                        index,
                        Str(s, "codec_name") ?? "unknown",
                        s.TryGetProperty("width", out var w) ? w.GetInt32() : 0,
                        s.TryGetProperty("height", out var h) ? h.GetInt32() : 0,
                        Rate(Str(s, "avg_frame_rate")),
                        Rate(Str(s, "r_frame_rate")),
                        Rotation(s),
                        (Num(s, "start_time") ?? containerStart) - containerStart,
                        StreamDuration(s));
                }
            }
        }

        if (audio is null && video is null)
        {
            throw new MediaDecodeException(
                MediaErrorKind.NoStreams,
                $"'{System.IO.Path.GetFileName(path)}' ({formatName}) has neither an audio nor a video stream.");
        }

        var total = duration ?? Math.Max(audio?.Duration ?? 0, video?.Duration ?? 0);
        return new MediaInfo(path, formatName, total, containerStart, audio, video);
    }

    // Every stream, not only the first of each kind: the others are demuxed too.
    private static void CheckBounds(string fileName, string? type, JsonElement stream, MediaLimits limits)
    {
        MediaBounds.CheckDuration(fileName, StreamDuration(stream), limits);
        if (type == "video")
        {
            // Cover art is one picture: its nominal rate is the container's clock (90000 in an mp3), not frames.
            var average = Rate(Str(stream, "avg_frame_rate"));
            var rate = IsAttachedPicture(stream) ? 0 : average > 0 ? average : Rate(Str(stream, "r_frame_rate"));
            MediaBounds.CheckVideo(
                fileName,
                stream.TryGetProperty("width", out var w) ? w.GetInt32() : 0,
                stream.TryGetProperty("height", out var h) ? h.GetInt32() : 0,
                rate,
                limits);
        }
        else if (type == "audio")
        {
            MediaBounds.CheckAudio(fileName, (int)Math.Min(int.MaxValue, Num(stream, "sample_rate") ?? 0), limits);
        }
    }

    /// <summary>
    /// The length a stream declares for itself: its own duration field, else (Matroska has no such field) the DURATION
    /// tag that ffmpeg, mkvmerge and OBS write for each track ("00:00:04.521000000"); null when it declares none.
    /// </summary>
    private static double? StreamDuration(JsonElement stream)
    {
        if (Num(stream, "duration") is { } duration)
        {
            return duration;
        }
        if (!stream.TryGetProperty("tags", out var tags) || Str(tags, "DURATION") is not { } tag)
        {
            return null;
        }
        var parts = tag.Split(':');
        return parts.Length == 3
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var hours)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var minutes)
            && double.TryParse(parts[2], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds)
            ? (hours * 3600.0) + (minutes * 60.0) + seconds
            : null;
    }

    // Cover art in audio files shows up as a one-frame video stream; it is not a video of the participant.
    private static bool IsAttachedPicture(JsonElement stream) =>
        stream.TryGetProperty("disposition", out var d)
        && d.TryGetProperty("attached_pic", out var a)
        && a.ValueKind == JsonValueKind.Number
        && a.GetInt32() == 1;

    private static int Rotation(JsonElement stream)
    {
        if (stream.TryGetProperty("side_data_list", out var sideData))
        {
            foreach (var item in sideData.EnumerateArray())
            {
                if (item.TryGetProperty("rotation", out var r) && r.ValueKind == JsonValueKind.Number)
                {
                    return (int)Math.Round(r.GetDouble());
                }
            }
        }

        if (stream.TryGetProperty("tags", out var tags) && Str(tags, "rotate") is { } rotate
            && int.TryParse(rotate, NumberStyles.Integer, CultureInfo.InvariantCulture, out var degrees))
        {
            return degrees;
        }

        return 0;
    }

    private static double Rate(string? fraction)
    {
        if (string.IsNullOrEmpty(fraction))
        {
            return 0;
        }

        var parts = fraction.Split('/');
        if (parts.Length == 2
            && double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var num)
            && double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var den)
            && den != 0)
        {
            return num / den;
        }

        return double.TryParse(fraction, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : 0;
    }

    private static string? Str(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static double? Num(JsonElement element, string name)
    {
        if (!element.TryGetProperty(name, out var value))
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.Number => value.GetDouble(),
            JsonValueKind.String when double.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
            _ => null,
        };
    }

    internal static string LastLine(string stderr)
    {
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.Length == 0 ? "no message" : lines[^1];
    }
}
