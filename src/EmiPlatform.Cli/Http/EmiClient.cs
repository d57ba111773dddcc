using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using EmiPlatform.Cli.Config;

namespace EmiPlatform.Cli.Http;

/// <summary>
/// A thin client of the HTTP API: JSON in, <see cref="JsonElement"/> out (the CLI prints what the API says rather than
/// keeping a second copy of its DTOs), every error response turned into an <see cref="ApiException"/>.
/// </summary>
public sealed class EmiClient : IDisposable
{
    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web);
    private readonly HttpClient _http;

    public EmiClient(Connection connection, HttpMessageHandler? handler = null)
    {
        // Uploads of large files take as long as they take; Ctrl-C (the cancellation token) is the limit. An upload asks
        // with Expect: 100-continue and waits up to 15 s for the go-ahead (.NET's default, 1 s, sends the body anyway on
        // a busy host, and a refusal such as 429 too-many-uploads then arrives as a broken pipe mid-body).
        _http = handler is null
            ? new HttpClient(new SocketsHttpHandler { PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30), Expect100ContinueTimeout = TimeSpan.FromSeconds(15) })
            : new HttpClient(handler, disposeHandler: false);
        _http.Timeout = Timeout.InfiniteTimeSpan;
        var baseUrl = connection.Url.AbsoluteUri;
        _http.BaseAddress = new Uri(baseUrl.EndsWith('/') ? baseUrl : baseUrl + "/");
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", connection.Key);
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("emi-cli", "1.0"));
        Url = _http.BaseAddress;
    }

    public Uri Url { get; }

    public Task<JsonElement> GetAsync(string path, CancellationToken ct) => SendAsync(HttpMethod.Get, path, null, ct);

    public Task<JsonElement> PostAsync(string path, object? body, CancellationToken ct) => SendAsync(HttpMethod.Post, path, body, ct);

    public Task<JsonElement> DeleteAsync(string path, CancellationToken ct) => SendAsync(HttpMethod.Delete, path, null, ct);

    /// <summary>Sends a CSV body (an experiment log) with <paramref name="method"/>; the answer as for <see cref="SendAsync"/>.</summary>
    public async Task<JsonElement> SendCsvAsync(HttpMethod method, string path, string csv, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, Relative(path))
        {
            Content = new StringContent(csv, new System.Text.UTF8Encoding(false), "text/csv"),
        };
        using var response = await _http.SendAsync(request, ct).ConfigureAwait(false);
        return await ReadAsync(response, ct).ConfigureAwait(false);
    }

    /// <summary>Sends one request; the result is <see cref="JsonValueKind.Undefined"/> for an empty (204) answer.</summary>
    public async Task<JsonElement> SendAsync(HttpMethod method, string path, object? body, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, Relative(path));
        if (body is not null)
        {
            request.Content = JsonContent.Create(body, options: s_json);
        }
        using var response = await _http.SendAsync(request, ct).ConfigureAwait(false);
        return await ReadAsync(response, ct).ConfigureAwait(false);
    }

    /// <summary>Every item of a paged list (<c>{ items, pageNumber, pageSize, total }</c>), page by page.</summary>
    public async IAsyncEnumerable<JsonElement> ListAllAsync(string path, [EnumeratorCancellation] CancellationToken ct)
    {
        const int pageSize = 200;
        var separator = path.Contains('?', StringComparison.Ordinal) ? '&' : '?';
        for (var page = 1; ; page++)
        {
            var result = await GetAsync($"{path}{separator}page={page}&pageSize={pageSize}", ct).ConfigureAwait(false);
            var items = result.GetProperty("items");
            foreach (var item in items.EnumerateArray())
            {
                yield return item;
            }
            if (items.GetArrayLength() < pageSize || (long)page * pageSize >= result.GetProperty("total").GetInt64())
            {
                yield break;
            }
        }
    }

    /// <summary>
    /// A Server-Sent Events stream, each event's data parsed as JSON. <paramref name="lastEventId"/> goes out as
    /// <c>Last-Event-ID</c>, so the server can resume; an error status is an <see cref="ApiException"/> as elsewhere.
    /// </summary>
    public async IAsyncEnumerable<SseItem<JsonElement>> EventsAsync(string path, string? lastEventId, [EnumeratorCancellation] CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Relative(path));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw await ApiException.FromResponseAsync(response, ct).ConfigureAwait(false);
        }
        var body = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        await using (body.ConfigureAwait(false))
        {
            await foreach (var item in SseParser.Create(body, static (_, data) => ParseJson(data)).EnumerateAsync(ct).ConfigureAwait(false))
            {
                yield return item;
            }
        }
    }

    /// <summary>
    /// Streams a file as the request body (never read whole into memory) with <c>Expect: 100-continue</c>, so a request
    /// the API refuses up front (413, 404, 403) is refused before the bytes travel. Created: 201, not 200 (identical bytes).
    /// </summary>
    public async Task<(bool Created, JsonElement Recording)> UploadFileAsync(
        string path, string filePath, string contentType, Action<long>? progress, CancellationToken ct)
    {
        var file = new FileStream(filePath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16,
            FileOptions.Asynchronous | FileOptions.SequentialScan);
        var length = file.Length;
        using var content = new StreamContent(progress is null ? file : new ProgressStream(file, progress), 1 << 16);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        content.Headers.ContentLength = length;
        using var request = new HttpRequestMessage(HttpMethod.Post, Relative(path)) { Content = content };
        request.Headers.ExpectContinue = true;
        using var response = await _http.SendAsync(request, ct).ConfigureAwait(false);
        var recording = await ReadAsync(response, ct).ConfigureAwait(false);
        return (response.StatusCode == HttpStatusCode.Created, recording);
    }

    /// <summary>POSTs raw bytes (a bundle's ZIP) and reads the JSON answer. Created: 201, not 200 (already registered).</summary>
    public async Task<(bool Created, JsonElement Body)> PostBytesAsync(string path, byte[] bytes, string contentType, CancellationToken ct)
    {
        using var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        using var response = await _http.PostAsync(Relative(path), content, ct).ConfigureAwait(false);
        var body = await ReadAsync(response, ct).ConfigureAwait(false);
        return (response.StatusCode == HttpStatusCode.Created, body);
    }

    /// <summary>Copies a (possibly huge, streamed) response body into <paramref name="destination"/>.</summary>
    public async Task<long> DownloadAsync(string path, Stream destination, CancellationToken ct)
    {
        using var response = await _http.GetAsync(Relative(path), HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw await ApiException.FromResponseAsync(response, ct).ConfigureAwait(false);
        }
        await using var body = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        var before = destination.CanSeek ? destination.Position : 0;
        await body.CopyToAsync(destination, 1 << 16, ct).ConfigureAwait(false);
        return destination.CanSeek ? destination.Position - before : -1;
    }

    public void Dispose() => _http.Dispose();

    // Relative paths keep an API that is served under a path prefix (https://host/emi/) working.
    private static Uri Relative(string path) => new(path.TrimStart('/'), UriKind.Relative);

    private static JsonElement ParseJson(ReadOnlySpan<byte> data)
    {
        var reader = new Utf8JsonReader(data);
        return JsonElement.ParseValue(ref reader);
    }

    private static async Task<JsonElement> ReadAsync(HttpResponseMessage response, CancellationToken ct)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw await ApiException.FromResponseAsync(response, ct).ConfigureAwait(false);
        }
        var bytes = await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
        if (bytes.Length == 0)
        {
            return default;
        }
        using var doc = JsonDocument.Parse(bytes);
        return doc.RootElement.Clone();
    }
}
