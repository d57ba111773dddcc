namespace EmiPlatform.Storage;

/// <summary>
/// Response headers a read SAS makes storage send instead of the blob's stored ones (the SAS's rsct and rscd), so what
/// a browser receives is the platform's choice, not the uploader's.
/// </summary>
public sealed record SasResponseHeaders(string ContentType, string? ContentDisposition = null);
