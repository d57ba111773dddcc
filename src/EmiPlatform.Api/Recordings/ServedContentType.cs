using System.Text.RegularExpressions;
using EmiPlatform.Storage;

namespace EmiPlatform.Api.Recordings;

/// <summary>
/// What storage may tell a browser a recording is. The uploader chose the stored Content-Type; served as-is, a
/// "recording" uploaded as text/html or image/svg+xml would run script on the storage origin. Only plain audio and
/// video types pass; anything else is served as bytes.
/// </summary>
public static partial class ServedContentType
{
    private const string Bytes = "application/octet-stream";

    public static string Of(string? stored) =>
        stored is not null && MediaType().IsMatch(stored) ? stored.ToLowerInvariant() : Bytes;

    /// <summary>For the download: always an attachment, named after the lab's file.</summary>
    public static SasResponseHeaders Download(string? stored, string fileName) =>
        new(Of(stored), $"attachment; filename*=UTF-8''{Uri.EscapeDataString(fileName)}");

    /// <summary>For the dashboard's player: inline, so a video element can play it.</summary>
    public static SasResponseHeaders Inline(string? stored) => new(Of(stored));

    [GeneratedRegex("^(audio|video)/[a-z0-9][a-z0-9.+-]{0,62}$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex MediaType();
}
