using System.Security.Cryptography;
using Azure.Core;
using Azure.Identity;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Sas;

namespace EmiPlatform.Storage;

/// <summary>
/// <see cref="IBlobStore"/> on Azure.Storage.Blobs: one <see cref="BlobServiceClient"/> (account key from a connection
/// string, or a token credential) and the container's client. Thread-safe; register one per process.
/// </summary>
public sealed partial class BlobStore : IBlobStore
{
    /// <summary>
    /// REST version the clients speak. The SDK's default (2026-10-06) is newer than Azurite 3.37 accepts; this one is
    /// accepted by Azure and by Azurite without --skipApiVersionCheck.
    /// </summary>
    public const BlobClientOptions.ServiceVersion ServiceVersion = BlobClientOptions.ServiceVersion.V2026_06_06;

    /// <summary>Metadata name of the SHA-256 (lowercase hex) the platform stores with every recording's bytes.</summary>
    public const string Sha256MetadataName = "sha256";

    // Tolerates clocks of the signer and the service that disagree by a few minutes.
    private static readonly TimeSpan SasClockSkew = TimeSpan.FromMinutes(5);

    private readonly BlobStorageOptions _options;
    private readonly UserDelegationKeys? _delegationKeys;

    /// <param name="options">validated here as at start</param>
    /// <param name="clientOptions">the SDK pipeline's options (retry, diagnostics, transport); defaults when null</param>
    /// <param name="credential">the token credential for <see cref="BlobStorageOptions.ServiceUri"/>; DefaultAzureCredential when null</param>
    public BlobStore(BlobStorageOptions options, BlobClientOptions? clientOptions = null, TokenCredential? credential = null)
    {
        BlobStorageOptionsValidator.ThrowIfInvalid(options);
        _options = options;
        ClientOptions = clientOptions ??= CreateClientOptions();
        if (!string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            Service = new BlobServiceClient(options.ConnectionString, clientOptions);
        }
        else
        {
            Service = new BlobServiceClient(options.ServiceUri, credential ?? new DefaultAzureCredential(), clientOptions);
            _delegationKeys = new UserDelegationKeys(Service);
        }

        Container = Service.GetBlobContainerClient(options.Container);
    }

    /// <summary>
    /// Client options with the pinned service version and the platform's name in the User-Agent; the SDK already lets
    /// the storage headers that explain a failure (x-ms-error-code, x-ms-request-id, …) into its logs.
    /// </summary>
    public static BlobClientOptions CreateClientOptions()
    {
        var client = new BlobClientOptions(ServiceVersion);
        client.Diagnostics.ApplicationId = "emi-platform";
        return client;
    }

    public BlobServiceClient Service { get; }

    /// <summary>The options the SDK pipeline was built with (retry, diagnostics, transport, service version).</summary>
    public BlobClientOptions ClientOptions { get; }

    public BlobContainerClient Container { get; }

    public string ContainerName => Container.Name;

    public async Task EnsureContainerAsync(CancellationToken cancellationToken = default) =>
        await Container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);

    public async Task<bool> DeleteContainerAsync(CancellationToken cancellationToken = default) =>
        await Container.DeleteIfExistsAsync(cancellationToken: cancellationToken);

    public async Task<BlobHash> DownloadAndHashAsync(string blobName, Stream destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        using var sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var response = await Container.GetBlobClient(blobName).DownloadStreamingAsync(cancellationToken: cancellationToken);
        using var download = response.Value;
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(1 << 20);
        try
        {
            long length = 0;
            int read;
            while ((read = await download.Content.ReadAsync(buffer, cancellationToken)) > 0)
            {
                sha256.AppendData(buffer, 0, read);
                await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                length += read;
            }

            return new BlobHash(length, Convert.ToHexStringLower(sha256.GetHashAndReset()), download.Details.ETag);
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public async Task<Uri> GetSasUriAsync(
        string blobName, BlobSasPermissions permissions, TimeSpan lifetime, CancellationToken cancellationToken = default,
        SasResponseHeaders? headers = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(blobName);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(lifetime, TimeSpan.Zero);
        var now = DateTimeOffset.UtcNow;
        var sas = new BlobSasBuilder(permissions, now + lifetime)
        {
            BlobContainerName = Container.Name,
            BlobName = blobName,
            Resource = "b",
            StartsOn = now - SasClockSkew,
            ContentType = headers?.ContentType,
            ContentDisposition = headers?.ContentDisposition,
        };
        var blob = Container.GetBlobClient(blobName);
        if (_delegationKeys is null)
        {
            return blob.GenerateSasUri(sas);
        }

        var key = await _delegationKeys.GetAsync(sas.ExpiresOn, cancellationToken);
        return blob.GenerateUserDelegationSasUri(sas, key);
    }

    public async Task<int> DeletePrefixAsync(string prefix, CancellationToken cancellationToken = default)
    {
        // A prefix is never empty here: an empty one would erase every tenant's recordings.
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        var names = new List<string>();
        await foreach (var item in Container.GetBlobsAsync(new GetBlobsOptions { Prefix = prefix }, cancellationToken))
        {
            names.Add(item.Name);
        }

        foreach (var name in names)
        {
            await Container.GetBlobClient(name).DeleteIfExistsAsync(DeleteSnapshotsOption.IncludeSnapshots, cancellationToken: cancellationToken);
        }

        return names.Count;
    }

    /// <summary>Reads the SHA-256 the store wrote as metadata, or null when the blob has none (e.g. a SAS upload).</summary>
    public static string? Sha256Of(IDictionary<string, string> metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        return metadata.TryGetValue(Sha256MetadataName, out var value) ? value : null;
    }
}
