using Microsoft.Extensions.Options;

namespace EmiPlatform.Storage;

/// <summary>Rejects storage options the client could not work with, at start rather than at the first upload.</summary>
public sealed class BlobStorageOptionsValidator : IValidateOptions<BlobStorageOptions>
{
    public ValidateOptionsResult Validate(string? name, BlobStorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = Collect(options);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>Throws <see cref="ArgumentException"/> listing every problem when the options are invalid.</summary>
    public static void ThrowIfInvalid(BlobStorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = Collect(options);
        if (failures.Count > 0)
        {
            throw new ArgumentException("Invalid blob storage options: " + string.Join(" ", failures), nameof(options));
        }
    }

    private static List<string> Collect(BlobStorageOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            failures.Add($"{BlobStorageOptions.SectionName}:ConnectionString is required (for Azurite: the EMI_AZURITE value written by infra/up.sh).");
        }
        else if (!StorageConnectionString.TryParse(options.ConnectionString, out _, out var error))
        {
            failures.Add($"{BlobStorageOptions.SectionName}:ConnectionString is invalid: {error}");
        }

        if (!ContainerNames.IsValid(options.Container))
        {
            failures.Add($"{BlobStorageOptions.SectionName}:Container '{options.Container}' is not a valid container name " +
                "(3-63 characters: lowercase letters, digits and single hyphens, starting and ending with a letter or digit).");
        }

        if (options.BlockSizeBytes is < BlobStorageOptions.MinBlockSizeBytes or > BlobStorageOptions.MaxBlockSizeBytes)
        {
            failures.Add($"{BlobStorageOptions.SectionName}:BlockSizeBytes must be between {BlobStorageOptions.MinBlockSizeBytes} and {BlobStorageOptions.MaxBlockSizeBytes}.");
        }

        if (options.Parallelism is < 1 or > BlobStorageOptions.MaxParallelism)
        {
            failures.Add($"{BlobStorageOptions.SectionName}:Parallelism must be between 1 and {BlobStorageOptions.MaxParallelism}.");
        }

        if (options.NetworkTimeout <= TimeSpan.Zero)
        {
            failures.Add($"{BlobStorageOptions.SectionName}:NetworkTimeout must be positive.");
        }

        if (options.MaxRetries is < 0 or > 10)
        {
            failures.Add($"{BlobStorageOptions.SectionName}:MaxRetries must be between 0 and 10.");
        }

        return failures;
    }
}
