using System.Xml.Linq;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;

namespace EmiPlatform.Storage;

/// <summary>
/// Blob REST client on Azure.Core's <see cref="HttpPipeline"/> (retries, logging, distributed tracing) with Shared Key
/// signing. Thread-safe; register one per process.
/// </summary>
public sealed partial class BlobStore : IBlobStore
{
    /// <summary>Pinned REST version: supported by Azure and by Azurite 3.3x, and the SAS signing format depends on it.</summary>
    public const string ServiceVersion = "2021-12-02";

    private const string MetadataPrefix = "x-ms-meta-";
    private const string Sha256MetadataName = "sha256";

    private readonly BlobStorageOptions _options;
    private readonly HttpPipeline _pipeline;
    private readonly SharedKeyCredential _credential;
    private readonly Uri _endpoint;

    public BlobStore(BlobStorageOptions options, BlobStoreClientOptions? clientOptions = null)
    {
        BlobStorageOptionsValidator.ThrowIfInvalid(options);
        _options = options;
        var connection = StorageConnectionString.Parse(options.ConnectionString);
        _credential = new SharedKeyCredential(connection.AccountName, connection.AccountKey);
        _endpoint = connection.BlobEndpoint;
        _pipeline = HttpPipelineBuilder.Build(
            clientOptions ?? BlobStoreClientOptions.From(options),
            perCallPolicies: [],
            perRetryPolicies: [new SharedKeyAuthenticationPolicy(_credential)],
            responseClassifier: new ResponseClassifier());
    }

    public string ContainerName => _options.Container;

    public string AccountName => _credential.AccountName;

    /// <summary>Absolute URI of a blob in this store's container (no credentials in it).</summary>
    public Uri GetBlobUri(string blobName)
    {
        ValidateBlobName(blobName);
        return new Uri($"{_endpoint.AbsoluteUri.TrimEnd('/')}/{_options.Container}/{EscapeBlobName(blobName)}");
    }

    public async Task EnsureContainerAsync(CancellationToken cancellationToken = default)
    {
        using var message = CreateMessage(RequestMethod.Put, blobName: null, ("restype", "container"));
        var response = await SendAsync(message, cancellationToken);
        if (response.Status == 201 || (response.Status == 409 && ErrorCodeOf(response) == "ContainerAlreadyExists"))
        {
            return;
        }

        throw CreateException(message, "create container");
    }

    public async Task<bool> DeleteContainerAsync(CancellationToken cancellationToken = default)
    {
        using var message = CreateMessage(RequestMethod.Delete, blobName: null, ("restype", "container"));
        var response = await SendAsync(message, cancellationToken);
        return response.Status switch
        {
            202 => true,
            404 => false,
            _ => throw CreateException(message, "delete container"),
        };
    }

    public async Task<bool> DeleteAsync(string blobName, CancellationToken cancellationToken = default)
    {
        ValidateBlobName(blobName);
        using var message = CreateMessage(RequestMethod.Delete, blobName);
        message.Request.Headers.SetValue("x-ms-delete-snapshots", "include");
        var response = await SendAsync(message, cancellationToken);
        return response.Status switch
        {
            202 => true,
            404 => false,
            _ => throw CreateException(message, "delete blob"),
        };
    }

    private HttpMessage CreateMessage(RequestMethod method, string? blobName, params ReadOnlySpan<(string Name, string Value)> query)
    {
        var message = _pipeline.CreateMessage();
        var request = message.Request;
        request.Method = method;
        request.Uri.Reset(_endpoint);
        request.Uri.AppendPath("/" + _options.Container, escape: false);
        if (blobName is not null)
        {
            request.Uri.AppendPath("/" + EscapeBlobName(blobName), escape: false);
        }

        foreach (var (name, value) in query)
        {
            request.Uri.AppendQuery(name, value, escapeValue: true);
        }

        request.Headers.SetValue("x-ms-version", ServiceVersion);
        return message;
    }

    private async ValueTask<Response> SendAsync(HttpMessage message, CancellationToken cancellationToken)
    {
        await _pipeline.SendAsync(message, cancellationToken);
        return message.Response;
    }

    // Blob names keep their '/' (virtual folders) and have every segment percent-encoded.
    private static string EscapeBlobName(string blobName) =>
        string.Join('/', blobName.Split('/').Select(Uri.EscapeDataString));

    private static void ValidateBlobName(string blobName)
    {
        ArgumentException.ThrowIfNullOrEmpty(blobName);
        if (blobName.Length > 1024)
        {
            throw new ArgumentException("A blob name has at most 1024 characters.", nameof(blobName));
        }

        if (blobName.Any(char.IsControl))
        {
            throw new ArgumentException("A blob name must not contain control characters.", nameof(blobName));
        }
    }

    private static string? ErrorCodeOf(Response response) =>
        response.Headers.TryGetValue("x-ms-error-code", out var code) ? code : null;

    private BlobStorageException CreateException(HttpMessage message, string operation)
    {
        var response = message.Response;
        var code = ErrorCodeOf(response);
        string? detail = null;
        if (message.BufferResponse && response.Content is { } content && !content.ToMemory().IsEmpty)
        {
            try
            {
                var error = XDocument.Parse(content.ToString()).Root;
                code ??= error?.Element("Code")?.Value;
                detail = error?.Element("Message")?.Value.Split('\n')[0].Trim();
            }
            catch (System.Xml.XmlException)
            {
                // A proxy or load balancer answered with something that is not a storage error document.
                detail = null;
            }
        }

        var target = $"{_credential.AccountName}/{_options.Container}{UriPathAfterContainer(message.Request.Uri.Path)}";
        var text = $"Blob storage '{operation}' on {target} failed: {response.Status} {code ?? response.ReasonPhrase}"
                   + (detail is null ? "." : $" ({detail}).");

        var isAuthFailure = response.Status == 401
            || (response.Status == 403 && code is "AuthenticationFailed" or "AuthorizationFailure" or null);
        if (isAuthFailure)
        {
            return new BlobAuthenticationException(
                response.Status,
                text + " The storage account rejected the request's signature: check AccountName and AccountKey in the " +
                "connection string (Storage:ConnectionString / EMI_AZURITE) and the machine's clock.",
                code);
        }

        return response.Status == 404
            ? new BlobNotFoundException(response.Status, text, code)
            : new BlobStorageException(response.Status, text, code);
    }

    private string UriPathAfterContainer(string path)
    {
        var marker = "/" + _options.Container;
        var at = path.IndexOf(marker, StringComparison.Ordinal);
        return at < 0 ? "" : Uri.UnescapeDataString(path[(at + marker.Length)..]);
    }
}
