using System.Globalization;
using System.Runtime.CompilerServices;
using System.Xml.Linq;
using Azure;
using Azure.Core;

namespace EmiPlatform.Storage;

public sealed partial class BlobStore
{
    public async Task<BlobDownload> DownloadAsync(string blobName, BlobRange? range = null, CancellationToken cancellationToken = default)
    {
        ValidateBlobName(blobName);
        var message = CreateMessage(RequestMethod.Get, blobName);
        try
        {
            // Stream the body instead of letting the pipeline buffer it in memory.
            message.BufferResponse = false;
            if (range is { } r)
            {
                message.Request.Headers.SetValue("x-ms-range", r.ToHeaderValue());
            }

            var response = await SendAsync(message, cancellationToken);
            if (response.Status is not (200 or 206))
            {
                await BufferErrorBodyAsync(message, cancellationToken);
                throw CreateException(message, "get blob");
            }

            var contentLength = long.Parse(Header(response, "Content-Length") ?? "0", CultureInfo.InvariantCulture);
            var totalLength = contentLength;
            // Content-Range: "bytes 100-199/1234"
            if (Header(response, "Content-Range") is { } contentRange && contentRange.LastIndexOf('/') is var slash and > 0
                && long.TryParse(contentRange.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var total))
            {
                totalLength = total;
            }

            var stream = new ResponseStream(message, response.ContentStream ?? Stream.Null);
            return new BlobDownload(stream, contentLength, totalLength, Header(response, "Content-Type"), ETagOf(response));
        }
        catch
        {
            message.Dispose();
            throw;
        }
    }

    public async Task<BlobProperties?> GetPropertiesAsync(string blobName, CancellationToken cancellationToken = default)
    {
        ValidateBlobName(blobName);
        using var message = CreateMessage(RequestMethod.Head, blobName);
        var response = await SendAsync(message, cancellationToken);
        if (response.Status == 404)
        {
            return null;
        }

        if (response.Status != 200)
        {
            throw CreateException(message, "get blob properties");
        }

        var metadata = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var header in response.Headers)
        {
            if (header.Name.StartsWith(MetadataPrefix, StringComparison.OrdinalIgnoreCase))
            {
                metadata[header.Name[MetadataPrefix.Length..].ToLowerInvariant()] = header.Value;
            }
        }

        return new BlobProperties(
            blobName,
            long.Parse(Header(response, "Content-Length") ?? "0", CultureInfo.InvariantCulture),
            Header(response, "Content-Type"),
            ETagOf(response),
            ParseHttpDate(Header(response, "Last-Modified")),
            metadata.GetValueOrDefault(Sha256MetadataName),
            metadata);
    }

    public async IAsyncEnumerable<BlobItem> ListAsync(
        string? prefix = null, int? pageSize = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        string? marker = null;
        do
        {
            var page = await ListPageAsync(prefix, marker, pageSize, cancellationToken);
            foreach (var item in page.Items)
            {
                yield return item;
            }

            marker = page.NextMarker;
        }
        while (marker is not null);
    }

    public async Task<BlobListPage> ListPageAsync(string? prefix, string? marker, int? pageSize = null, CancellationToken cancellationToken = default)
    {
        if (pageSize is { } size)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(size, 1, nameof(pageSize));
            ArgumentOutOfRangeException.ThrowIfGreaterThan(size, 5000, nameof(pageSize));
        }

        var query = new List<(string, string)> { ("restype", "container"), ("comp", "list"), ("include", "metadata") };
        if (!string.IsNullOrEmpty(prefix))
        {
            query.Add(("prefix", prefix));
        }

        if (!string.IsNullOrEmpty(marker))
        {
            query.Add(("marker", marker));
        }

        if (pageSize is { } maxResults)
        {
            query.Add(("maxresults", maxResults.ToString(CultureInfo.InvariantCulture)));
        }

        using var message = CreateMessage(RequestMethod.Get, blobName: null, [.. query]);
        var response = await SendAsync(message, cancellationToken);
        if (response.Status != 200)
        {
            throw CreateException(message, "list blobs");
        }

        var root = XDocument.Load(response.ContentStream ?? Stream.Null).Root
                   ?? throw new BlobStorageException(response.Status, "List Blobs returned an empty document.", null);
        var items = new List<BlobItem>();
        foreach (var blob in root.Element("Blobs")?.Elements("Blob") ?? [])
        {
            var properties = blob.Element("Properties");
            items.Add(new BlobItem(
                blob.Element("Name")?.Value ?? "",
                long.Parse(properties?.Element("Content-Length")?.Value ?? "0", CultureInfo.InvariantCulture),
                NullIfEmpty(properties?.Element("Content-Type")?.Value),
                properties?.Element("Etag")?.Value ?? "",
                ParseHttpDate(properties?.Element("Last-Modified")?.Value),
                NullIfEmpty(blob.Element("Metadata")?.Element(Sha256MetadataName)?.Value)));
        }

        return new BlobListPage(items, NullIfEmpty(root.Element("NextMarker")?.Value));
    }

    /// <summary>
    /// Counts of committed and staged-but-uncommitted blocks of a blob (Get Block List); (0, 0) when the service
    /// knows nothing of the name. Lets tests and the orphan sweep see abandoned uploads.
    /// </summary>
    public async Task<(int Committed, int Uncommitted)> GetBlockCountsAsync(string blobName, CancellationToken cancellationToken = default)
    {
        ValidateBlobName(blobName);
        using var message = CreateMessage(RequestMethod.Get, blobName, ("comp", "blocklist"), ("blocklisttype", "all"));
        var response = await SendAsync(message, cancellationToken);
        if (response.Status == 404)
        {
            return (0, 0);
        }

        if (response.Status != 200)
        {
            throw CreateException(message, "get block list");
        }

        var root = XDocument.Load(response.ContentStream ?? Stream.Null).Root;
        return (root?.Element("CommittedBlocks")?.Elements("Block").Count() ?? 0,
                root?.Element("UncommittedBlocks")?.Elements("Block").Count() ?? 0);
    }

    private static async Task BufferErrorBodyAsync(HttpMessage message, CancellationToken cancellationToken)
    {
        // Error bodies are small XML documents; read them so the exception can say what went wrong.
        if (message.Response.ContentStream is { } body)
        {
            var copy = new MemoryStream();
            await body.CopyToAsync(copy, cancellationToken);
            copy.Position = 0;
            message.Response.ContentStream = copy;
            message.BufferResponse = true;
        }
    }

    private static string? Header(Response response, string name) =>
        response.Headers.TryGetValue(name, out var value) ? value : null;

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static DateTimeOffset ParseHttpDate(string? value) =>
        DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed)
            ? parsed
            : DateTimeOffset.MinValue;
}
