namespace EmiPlatform.Storage;

/// <summary>Configuration of the platform's blob store (section "Storage").</summary>
public sealed class BlobStorageOptions
{
    public const string SectionName = "Storage";
    public const int DefaultBlockSizeBytes = 4 * 1024 * 1024;
    public const int MinBlockSizeBytes = 64 * 1024;
    // Put Block accepts up to 4000 MiB, but every in-flight block is a pooled buffer, so keep memory sane.
    public const int MaxBlockSizeBytes = 256 * 1024 * 1024;
    public const int MaxParallelism = 64;

    /// <summary>Azure Storage connection string with an AccountKey (Azure or Azurite form).</summary>
    public string ConnectionString { get; set; } = "";

    /// <summary>Container that holds the platform's blobs.</summary>
    public string Container { get; set; } = "recordings";

    /// <summary>Size of one staged block; memory per upload is bounded by BlockSizeBytes × Parallelism.</summary>
    public int BlockSizeBytes { get; set; } = DefaultBlockSizeBytes;

    /// <summary>Blocks of one upload that may be in flight at once.</summary>
    public int Parallelism { get; set; } = 4;

    /// <summary>Timeout of one HTTP try (request sent and response headers received).</summary>
    public TimeSpan NetworkTimeout { get; set; } = TimeSpan.FromSeconds(100);

    /// <summary>Retries of a failed try (network errors, 408, 429, 5xx) with exponential back-off.</summary>
    public int MaxRetries { get; set; } = 3;
}
