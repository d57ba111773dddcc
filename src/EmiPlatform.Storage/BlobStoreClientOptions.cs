using Azure.Core;

namespace EmiPlatform.Storage;

/// <summary>Azure.Core pipeline settings (retry, diagnostics, transport) of a <see cref="BlobStore"/>.</summary>
public sealed class BlobStoreClientOptions : ClientOptions
{
    public static BlobStoreClientOptions From(BlobStorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var client = new BlobStoreClientOptions();
        client.Retry.Mode = RetryMode.Exponential;
        client.Retry.MaxRetries = options.MaxRetries;
        client.Retry.Delay = TimeSpan.FromMilliseconds(200);
        client.Retry.MaxDelay = TimeSpan.FromSeconds(10);
        client.Retry.NetworkTimeout = options.NetworkTimeout;
        client.Diagnostics.ApplicationId = "emi-platform";
        // Storage puts the reason of a failure in these headers; let the logging policy show them.
        client.Diagnostics.LoggedHeaderNames.Add("x-ms-error-code");
        client.Diagnostics.LoggedHeaderNames.Add("x-ms-version");
        client.Diagnostics.LoggedHeaderNames.Add("x-ms-blob-type");
        client.Diagnostics.LoggedQueryParameters.Add("comp");
        client.Diagnostics.LoggedQueryParameters.Add("restype");
        return client;
    }
}
