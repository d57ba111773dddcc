namespace EmiPlatform.Storage;

/// <summary>
/// A streamed download: <see cref="Content"/> reads straight from the network. Dispose it to release the connection.
/// </summary>
public sealed class BlobDownload(Stream content, long contentLength, long totalLength, string? contentType, string eTag)
    : IDisposable, IAsyncDisposable
{
    public Stream Content { get; } = content;

    /// <summary>Bytes in this response (the range's length when a range was asked for).</summary>
    public long ContentLength { get; } = contentLength;

    /// <summary>Size of the whole blob.</summary>
    public long TotalLength { get; } = totalLength;

    public string? ContentType { get; } = contentType;

    public string ETag { get; } = eTag;

    public void Dispose() => Content.Dispose();

    public ValueTask DisposeAsync() => Content.DisposeAsync();
}
