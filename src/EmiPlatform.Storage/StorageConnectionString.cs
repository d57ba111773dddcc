using System.Diagnostics.CodeAnalysis;

namespace EmiPlatform.Storage;

/// <summary>
/// The parts of an Azure Storage connection string the blob client needs. Accepts real Azure's form
/// (AccountName, AccountKey, EndpointSuffix / BlobEndpoint), Azurite's explicit form, and
/// <c>UseDevelopmentStorage=true</c>.
/// </summary>
public sealed class StorageConnectionString
{
    // Azurite's well-known development account; public by design, documented by Microsoft.
    internal const string DevelopmentAccountName = "devstoreaccount1";
    internal const string DevelopmentAccountKey =
        "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private StorageConnectionString(Uri blobEndpoint, string accountName, byte[] accountKey)
    {
        BlobEndpoint = blobEndpoint;
        AccountName = accountName;
        AccountKey = accountKey;
    }

    /// <summary>Blob service endpoint without a trailing slash (path-style for Azurite: http://host:port/account).</summary>
    public Uri BlobEndpoint { get; }

    public string AccountName { get; }

    internal byte[] AccountKey { get; }

    public static StorageConnectionString Parse(string connectionString)
    {
        if (!TryParse(connectionString, out var parsed, out var error))
        {
            throw new FormatException("Invalid storage connection string: " + error);
        }

        return parsed;
    }

    public static bool TryParse(
        string? connectionString,
        [NotNullWhen(true)] out StorageConnectionString? parsed,
        [NotNullWhen(false)] out string? error)
    {
        parsed = null;
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            error = "it is empty.";
            return false;
        }

        var settings = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var part in connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            // Keys never contain '=', values (base64 keys, SAS tokens) may.
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                error = $"segment '{Redact(part)}' is not key=value.";
                return false;
            }

            settings[part[..eq].Trim()] = part[(eq + 1)..].Trim();
        }

        if (settings.TryGetValue("UseDevelopmentStorage", out var dev) && bool.TryParse(dev, out var useDev) && useDev)
        {
            var proxy = settings.TryGetValue("DevelopmentStorageProxyUri", out var p) ? p.TrimEnd('/') : "http://127.0.0.1";
            settings.TryAdd("AccountName", DevelopmentAccountName);
            settings.TryAdd("AccountKey", DevelopmentAccountKey);
            settings.TryAdd("BlobEndpoint", $"{proxy}:10000/{DevelopmentAccountName}");
        }

        if (!settings.TryGetValue("AccountName", out var accountName) || accountName.Length == 0)
        {
            error = "AccountName is missing.";
            return false;
        }

        if (!settings.TryGetValue("AccountKey", out var keyText) || keyText.Length == 0)
        {
            error = settings.ContainsKey("SharedAccessSignature")
                ? "it carries a SharedAccessSignature but no AccountKey; this client signs with Shared Key and needs the account key."
                : "AccountKey is missing.";
            return false;
        }

        byte[] key;
        try
        {
            key = Convert.FromBase64String(keyText);
        }
        catch (FormatException)
        {
            error = "AccountKey is not valid base64.";
            return false;
        }

        Uri? endpoint;
        if (settings.TryGetValue("BlobEndpoint", out var blobEndpoint) && blobEndpoint.Length > 0)
        {
            if (!Uri.TryCreate(blobEndpoint.TrimEnd('/'), UriKind.Absolute, out endpoint)
                || endpoint.Scheme is not ("http" or "https"))
            {
                error = $"BlobEndpoint '{blobEndpoint}' is not an absolute http(s) URI.";
                return false;
            }
        }
        else
        {
            var protocol = settings.TryGetValue("DefaultEndpointsProtocol", out var proto) ? proto.ToLowerInvariant() : "https";
            var suffix = settings.TryGetValue("EndpointSuffix", out var sfx) ? sfx : "core.windows.net";
            if (protocol is not ("http" or "https")
                || !Uri.TryCreate($"{protocol}://{accountName}.blob.{suffix}", UriKind.Absolute, out endpoint))
            {
                error = "cannot build the blob endpoint from DefaultEndpointsProtocol, AccountName and EndpointSuffix.";
                return false;
            }
        }

        parsed = new StorageConnectionString(endpoint, accountName, key);
        error = null;
        return true;
    }

    // Error messages end up in logs; never echo a key.
    private static string Redact(string segment) => segment.Length > 16 ? segment[..16] + "…" : segment;
}
