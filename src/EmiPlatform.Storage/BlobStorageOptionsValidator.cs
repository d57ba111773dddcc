using Azure.Storage.Blobs;
using Microsoft.Extensions.Options;

namespace EmiPlatform.Storage;

/// <summary>Rejects storage options the store could not work with, at start rather than at the first upload.</summary>
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
        const string section = BlobStorageOptions.SectionName;
        var failures = new List<string>();
        var hasConnectionString = !string.IsNullOrWhiteSpace(options.ConnectionString);
        if (hasConnectionString == options.ServiceUri is not null)
        {
            failures.Add($"Set exactly one of {section}:ConnectionString (account key; for Azurite the EMI_AZURITE value " +
                $"written by infra/up.sh) and {section}:ServiceUri (Microsoft Entra token credential).");
        }
        else if (hasConnectionString && ConnectionStringProblem(options.ConnectionString!) is { } problem)
        {
            failures.Add($"{section}:ConnectionString is invalid: {problem}");
        }
        else if (options.ServiceUri is { } uri && (!uri.IsAbsoluteUri || uri.Scheme != Uri.UriSchemeHttps))
        {
            failures.Add($"{section}:ServiceUri must be an absolute https URI (a bearer token is never sent over plain http).");
        }

        if (!ContainerNames.IsValid(options.Container))
        {
            failures.Add($"{section}:Container '{options.Container}' is not a valid container name " +
                "(3-63 characters: lowercase letters, digits and single hyphens, starting and ending with a letter or digit).");
        }

        if (options.BlockSizeBytes is < BlobStorageOptions.MinBlockSizeBytes or > BlobStorageOptions.MaxBlockSizeBytes)
        {
            failures.Add($"{section}:BlockSizeBytes must be between {BlobStorageOptions.MinBlockSizeBytes} and {BlobStorageOptions.MaxBlockSizeBytes}.");
        }

        if (options.Parallelism is < 1 or > BlobStorageOptions.MaxParallelism)
        {
            failures.Add($"{section}:Parallelism must be between 1 and {BlobStorageOptions.MaxParallelism}.");
        }

        return failures;
    }

    // The SDK parses the string; what it cannot tell from parsing alone is that SAS need the account key.
    private static string? ConnectionStringProblem(string connectionString)
    {
        try
        {
            return new BlobServiceClient(connectionString).CanGenerateAccountSasUri
                ? null
                : "it carries no AccountKey; the store signs SAS with the account key (or set ServiceUri for a token credential).";
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or InvalidOperationException)
        {
            // The SDK's message names the malformed part; it never echoes the key.
            return ex.Message;
        }
    }
}
