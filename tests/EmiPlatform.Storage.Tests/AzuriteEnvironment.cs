namespace EmiPlatform.Storage.Tests;

/// <summary>The Azurite connection string the infrastructure exports; tests fail (never skip) without it.</summary>
internal static class AzuriteEnvironment
{
    public const string VariableName = "EMI_AZURITE";

    public static string ConnectionString =>
        Environment.GetEnvironmentVariable(VariableName) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"{VariableName} is not set. The storage tests run against a real Azurite: run `make test`, or " +
                "`infra/up.sh && source .local/env.sh` (or `infra/azurite.sh start` and export EMI_AZURITE) before `dotnet test`.");

    public static BlobStorageOptions Options(string container, int blockSize = BlobStorageOptions.DefaultBlockSizeBytes, int parallelism = 4) => new()
    {
        ConnectionString = ConnectionString,
        Container = container,
        BlockSizeBytes = blockSize,
        Parallelism = parallelism,
    };

    /// <summary>A fresh container name per test, so tests never see each other's blobs.</summary>
    public static string NewContainerName(string purpose) => $"t-{purpose}-{Guid.NewGuid():N}";
}
