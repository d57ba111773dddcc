namespace EmiPlatform.Storage;

/// <summary>
/// Configuration of the platform's blob store (section "Storage"). The SDK's own client options (retry, diagnostics,
/// transport timeouts) bind from the subsection "Storage:Client" onto <see cref="Azure.Storage.Blobs.BlobClientOptions"/>.
/// </summary>
public sealed class BlobStorageOptions
{
    public const string SectionName = "Storage";
    public const string ClientSectionName = "Client";
    public const int DefaultBlockSizeBytes = 4 * 1024 * 1024;
    public const int MinBlockSizeBytes = 64 * 1024;
    // Put Block accepts up to 4000 MiB, but every in-flight block is a pooled buffer, so keep memory sane.
    public const int MaxBlockSizeBytes = 256 * 1024 * 1024;
    public const int MaxParallelism = 64;

    /// <summary>
    /// Azure Storage connection string with an account key (Azure's form, Azurite's explicit form or
    /// <c>UseDevelopmentStorage=true</c>). Leave empty and set <see cref="ServiceUri"/> to use a token credential instead.
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// Blob service endpoint (https://ACCOUNT.blob.core.windows.net) for a Microsoft Entra token credential
    /// (DefaultAzureCredential: managed identity, workload identity, environment, Azure CLI). SAS then are user-delegation SAS.
    /// </summary>
    public Uri? ServiceUri { get; set; }

    /// <summary>Container that holds the platform's blobs.</summary>
    public string Container { get; set; } = "recordings";

    /// <summary>Size of one staged block; memory per upload is bounded by BlockSizeBytes × Parallelism.</summary>
    public int BlockSizeBytes { get; set; } = DefaultBlockSizeBytes;

    /// <summary>Blocks of one upload that may be in flight at once.</summary>
    public int Parallelism { get; set; } = 4;
}
