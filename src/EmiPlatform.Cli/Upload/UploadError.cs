namespace EmiPlatform.Cli.Upload;

/// <summary>Why a file failed: the API's problem (status, type, title, detail, field errors) or a local message.</summary>
internal sealed record UploadError(int? Status, string? Type, string Title, string? Detail, IReadOnlyDictionary<string, string[]>? Errors)
{
    public override string ToString() =>
        (Status is { } s ? $"{s} " : "") + Title + (Detail is { } d ? $": {d}" : "")
        + (Errors is { Count: > 0 } e ? " (" + string.Join("; ", e.Select(kv => $"{kv.Key}: {string.Join(", ", kv.Value)}")) + ")" : "");
}
