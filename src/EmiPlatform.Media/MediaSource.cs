namespace EmiPlatform.Media;

/// <summary>
/// Where ffmpeg reads a recording and the one protocol it may use for it (<c>-protocol_whitelist</c>): <c>file</c> for a
/// local copy, <c>http,tcp</c> or <c>https,tls,tcp</c> for a read SAS of the blob. A URL carries a signature: it never
/// appears in a message or in <see cref="ToString"/>, <see cref="DisplayName"/> stands in for it.
/// </summary>
public sealed class MediaSource
{
    private MediaSource(string url, string protocols, string displayName)
    {
        Url = url;
        Protocols = protocols;
        DisplayName = displayName;
    }

    internal string Url { get; }

    internal string Protocols { get; }

    public string DisplayName { get; }

    /// <summary>A local file; named with the <c>file:</c> prefix so no part of its path can read as another protocol.</summary>
    public static MediaSource File(string path) =>
        new("file:" + System.IO.Path.GetFullPath(path), "file", System.IO.Path.GetFileName(path));

    public static MediaSource Http(Uri url, string displayName) => url.Scheme switch
    {
        "https" => new MediaSource(url.AbsoluteUri, "https,tls,tcp", displayName),
        "http" => new MediaSource(url.AbsoluteUri, "http,tcp", displayName),
        _ => throw new ArgumentException($"Recordings are read over http or https, not {url.Scheme}.", nameof(url)),
    };

    /// <summary>Replaces the URL with the display name in what ffmpeg wrote.</summary>
    internal string Redact(string text) => text.Replace(Url, DisplayName, StringComparison.Ordinal);

    public override string ToString() => DisplayName;
}
