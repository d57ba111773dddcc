using System.Globalization;
using System.Text.Json;

namespace EmiPlatform.Inference.Media;

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

        return await ProbeInputAsync(file.FullName, file.Name, file.FullName, tools, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Probes a URL ffprobe can read with range requests (e.g. a read SAS of a blob), so an upload is checked where it
    /// lies instead of being copied to disk first. <paramref name="displayName"/> stands in for the URL in messages.
    /// </summary>
    public static Task<MediaInfo> ProbeAsync(Uri url, string displayName, MediaTools tools, CancellationToken cancellationToken) =>
        ProbeInputAsync(url.AbsoluteUri, displayName, displayName, tools, cancellationToken);

    // The URL carries a signature: messages and the returned MediaInfo name the input by infoPath instead.
    private static async Task<MediaInfo> ProbeInputAsync(
        string input, string displayName, string infoPath, MediaTools tools, CancellationToken cancellationToken)
    {
        string json;
        await using (var process = FfmpegProcess.Start(
            tools.Ffprobe,
            ["-v", "error", "-print_format", "json", "-show_format", "-show_streams", input],
            cancellationToken))
        {
            using var reader = new StreamReader(process.Stdout);
            json = await reader.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
            var (exitCode, stderr) = await process.WaitAsync(cancellationToken).ConfigureAwait(false);
            if (exitCode != 0)
            {
                throw new MediaDecodeException(
                    MediaErrorKind.Unreadable,
                    $"'{displayName}' is not a readable audio or video file (ffprobe: {LastLine(stderr.Replace(input, displayName, StringComparison.Ordinal))}).");
            }
        }

        return Parse(infoPath, json);
    }

    internal static MediaInfo Parse(string path, string json)
    {
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        var format = root.TryGetProperty("format", out var f) ? f : default;
        var formatName = format.ValueKind == JsonValueKind.Object ? Str(format, "format_name") ?? "unknown" : "unknown";
        var containerStart = format.ValueKind == JsonValueKind.Object ? Num(format, "start_time") ?? 0 : 0;
        var duration = format.ValueKind == JsonValueKind.Object ? Num(format, "duration") : null;

        AudioStreamInfo? audio = null;
        VideoStreamInfo? video = null;
        if (root.TryGetProperty("streams", out var streams))
        {
            foreach (var s in streams.EnumerateArray())
            {
                var type = Str(s, "codec_type");
                var index = s.TryGetProperty("index", out var i) ? i.GetInt32() : 0;
                if (type == "audio" && audio is null)
                {
                    audio = new AudioStreamInfo(
                        index,
                        Str(s, "codec_name") ?? "unknown",
                        (int)(Num(s, "sample_rate") ?? 0),
                        s.TryGetProperty("channels", out var ch) ? ch.GetInt32() : 0,
                        (Num(s, "start_time") ?? containerStart) - containerStart,
                        Num(s, "duration"));
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
                        Num(s, "duration"));
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
