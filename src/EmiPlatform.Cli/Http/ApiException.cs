using System.Net;
using System.Text.Json;

namespace EmiPlatform.Cli.Http;

/// <summary>An error response from the API, with the RFC 9457 problem it carried (if it carried one).</summary>
public sealed class ApiException(HttpStatusCode status, string? type, string title, string? detail,
    IReadOnlyDictionary<string, string[]> errors, string? traceId, string? rawBody)
    : Exception($"{(int)status} {title}" + (detail is null ? "" : $": {detail}"))
{
    public HttpStatusCode Status { get; } = status;
    public string? Type { get; } = type;
    public string Title { get; } = title;
    public string? Detail { get; } = detail;
    public IReadOnlyDictionary<string, string[]> Errors { get; } = errors;
    public string? TraceId { get; } = traceId;

    /// <summary>The body as received, so <c>--json</c> can pass the problem on untouched.</summary>
    public string? RawBody { get; } = rawBody;

    /// <summary>The last segment of the problem type (<c>urn:emi-platform:problem:not-media</c> → <c>not-media</c>).</summary>
    public string ShortType => Type?.Split(':')[^1] ?? ((int)Status).ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static async Task<ApiException> FromResponseAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        var fallbackTitle = response.ReasonPhrase ?? response.StatusCode.ToString();
        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
                if (root.TryGetProperty("errors", out var e) && e.ValueKind == JsonValueKind.Object)
                {
                    foreach (var field in e.EnumerateObject())
                    {
                        errors[field.Name] = field.Value.ValueKind == JsonValueKind.Array
                            ? [.. field.Value.EnumerateArray().Select(m => m.ToString())]
                            : [field.Value.ToString()];
                    }
                }
                // An invalid-events refusal lists its offending rows: shown like field errors, one line per row.
                if (root.TryGetProperty("rows", out var rows) && rows.ValueKind == JsonValueKind.Array)
                {
                    foreach (var row in rows.EnumerateArray())
                    {
                        var recording = Text(row, "recording") is { } r ? $" ({r})" : "";
                        errors[$"row {row.GetProperty("row")}{recording}"] = [Text(row, "message") ?? ""];
                    }
                }
                return new ApiException(response.StatusCode, Text(root, "type"), Text(root, "title") ?? fallbackTitle,
                    Text(root, "detail"), errors, Text(root, "traceId"), body);
            }
        }
        catch (JsonException)
        {
            // Not a problem document (a proxy's HTML page, say): show what came back.
        }
        var excerpt = body.Length > 300 ? body[..300] + "…" : body;
        return new ApiException(response.StatusCode, null, fallbackTitle, excerpt.Length == 0 ? null : excerpt,
            new Dictionary<string, string[]>(), null, null);
    }

    private static string? Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
