using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace EmiPlatform.Storage.Tests;

public class BlobStorageOptionsTests
{
    [Fact]
    public void Defaults_are_four_MiB_blocks_four_in_flight()
    {
        var options = new BlobStorageOptions();

        Assert.Equal(4 * 1024 * 1024, options.BlockSizeBytes);
        Assert.Equal(4, options.Parallelism);
    }

    [Theory]
    [InlineData("Ab")]
    [InlineData("UPPER")]
    [InlineData("double--hyphen")]
    [InlineData("-leading")]
    [InlineData("trailing-")]
    [InlineData("under_score")]
    public void Invalid_container_names_fail_validation(string container)
    {
        var options = new BlobStorageOptions { ConnectionString = "UseDevelopmentStorage=true", Container = container };

        var result = new BlobStorageOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains("Container", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_problem_is_reported_at_once()
    {
        var options = new BlobStorageOptions { ConnectionString = "", BlockSizeBytes = 10, Parallelism = 0 };

        var result = new BlobStorageOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains("ConnectionString", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("BlockSizeBytes", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("Parallelism", result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("AccountName=x;AccountKey=not base64!;BlobEndpoint=http://127.0.0.1:1/x", null, "ConnectionString is invalid")]
    [InlineData("BlobEndpoint=https://x.blob.core.windows.net;SharedAccessSignature=sv=2024-01-01&sig=abc", null, "no AccountKey")]
    [InlineData(null, "http://x.blob.core.windows.net", "https")]
    [InlineData("UseDevelopmentStorage=true", "https://x.blob.core.windows.net", "exactly one")]
    [InlineData(null, null, "exactly one")]
    public void Credentials_are_checked_at_start(string? connectionString, string? serviceUri, string expected)
    {
        var options = new BlobStorageOptions { ConnectionString = connectionString, ServiceUri = serviceUri is null ? null : new Uri(serviceUri) };

        var result = new BlobStorageOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(expected, result.FailureMessage, StringComparison.Ordinal);
        Assert.DoesNotContain("not base64", result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("UseDevelopmentStorage=true", null)]
    [InlineData(null, "https://account.blob.core.windows.net")]
    public void An_account_key_or_a_service_uri_for_a_token_credential_is_accepted(string? connectionString, string? serviceUri)
    {
        var options = new BlobStorageOptions { ConnectionString = connectionString, ServiceUri = serviceUri is null ? null : new Uri(serviceUri) };

        Assert.True(new BlobStorageOptionsValidator().Validate(null, options).Succeeded);
    }

    [Fact]
    public void AddBlobStorage_binds_the_Storage_section_and_the_sdk_client_options()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:ConnectionString"] = AzuriteEnvironment.ConnectionString,
            ["Storage:Container"] = "bound-container",
            ["Storage:BlockSizeBytes"] = "1048576",
            ["Storage:Parallelism"] = "2",
            ["Storage:Client:Retry:MaxRetries"] = "7",
            ["Storage:Client:Retry:NetworkTimeout"] = "00:00:42",
            ["Storage:Client:Diagnostics:IsLoggingContentEnabled"] = "true",
        }).Build();
        using var provider = new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration)
            .AddBlobStorage()
            .BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<BlobStorageOptions>>().Value;
        var store = provider.GetRequiredService<IBlobStore>();
        var clientOptions = provider.GetRequiredService<BlobStore>().ClientOptions;

        Assert.Equal((1048576, 2), (options.BlockSizeBytes, options.Parallelism));
        Assert.Equal("bound-container", store.ContainerName);
        Assert.Same(provider.GetRequiredService<BlobStore>(), store);
        Assert.Equal((7, TimeSpan.FromSeconds(42), true),
            (clientOptions.Retry.MaxRetries, clientOptions.Retry.NetworkTimeout, clientOptions.Diagnostics.IsLoggingContentEnabled));
        Assert.Equal(BlobStore.ServiceVersion, clientOptions.Version);
    }

    [Fact]
    public void AddBlobStorage_rejects_invalid_configuration_when_resolved()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:ConnectionString"] = "AccountName=x",
        }).Build();
        using var provider = new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration)
            .AddBlobStorage()
            .BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IBlobStore>());

        Assert.Contains("ConnectionString is invalid", error.Message, StringComparison.Ordinal);
    }
}
