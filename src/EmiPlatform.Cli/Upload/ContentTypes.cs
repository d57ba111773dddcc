namespace EmiPlatform.Cli.Upload;

/// <summary>Content-Type by extension; the API probes the bytes anyway, this is only stored as a label.</summary>
internal static class ContentTypes
{
    private static readonly Dictionary<string, string> s_byExtension = new(StringComparer.OrdinalIgnoreCase)
    {
        [".mp4"] = "video/mp4",
        [".m4v"] = "video/mp4",
        [".mov"] = "video/quicktime",
        [".mkv"] = "video/x-matroska",
        [".webm"] = "video/webm",
        [".avi"] = "video/x-msvideo",
        [".wav"] = "audio/wav",
        [".mp3"] = "audio/mpeg",
        [".m4a"] = "audio/mp4",
        [".aac"] = "audio/aac",
        [".flac"] = "audio/flac",
        [".ogg"] = "audio/ogg",
        [".opus"] = "audio/opus",
    };

    public static string For(string path) =>
        s_byExtension.TryGetValue(Path.GetExtension(path), out var type) ? type : "application/octet-stream";
}
