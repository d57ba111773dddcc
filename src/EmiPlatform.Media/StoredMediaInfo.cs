using System.Text.Json;

namespace EmiPlatform.Media;

/// <summary>
/// A probe result kept with a recording (<c>recordings.media</c>), so the worker that scores it later need not run
/// ffprobe again: one process fewer on every job's critical path. The path is left out (at upload it is only the file
/// name the blob was probed under); the reader supplies where its copy of the file lies.
/// </summary>
public static class StoredMediaInfo
{
    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web);

    public static string Serialize(MediaInfo media) =>
        JsonSerializer.Serialize(new Stored(media.FormatName, media.Duration, media.StartTime, media.Audio, media.Video), s_json);

    /// <summary>The stored probe for the file at <paramref name="path"/>; null when there is none or it cannot be read.</summary>
    public static MediaInfo? Deserialize(string? json, string path)
    {
        if (string.IsNullOrEmpty(json))
        {
            return null;
        }
        try
        {
            return JsonSerializer.Deserialize<Stored>(json, s_json) is { FormatName: not null } s
                ? new MediaInfo(path, s.FormatName, s.Duration, s.StartTime, s.Audio, s.Video)
                : null;
        }
        catch (JsonException)
        {
            // Written by an older or newer version of this record: probing again costs one ffprobe, nothing else.
            return null;
        }
    }

    private sealed record Stored(string FormatName, double Duration, double StartTime, AudioStreamInfo? Audio, VideoStreamInfo? Video);
}
