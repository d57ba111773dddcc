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

    [Fact]
    public void AddBlobStorage_binds_the_Storage_section()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:ConnectionString"] = AzuriteEnvironment.ConnectionString,
            ["Storage:Container"] = "bound-container",
            ["Storage:BlockSizeBytes"] = "1048576",
            ["Storage:Parallelism"] = "2",
        }).Build();
        using var provider = new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration)
            .AddBlobStorage()
            .BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<BlobStorageOptions>>().Value;
        var store = provider.GetRequiredService<IBlobStore>();

        Assert.Equal(1048576, options.BlockSizeBytes);
        Assert.Equal(2, options.Parallelism);
        Assert.Equal("bound-container", store.ContainerName);
        Assert.Same(provider.GetRequiredService<BlobStore>(), store);
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

        Assert.Contains("AccountKey is missing", error.Message, StringComparison.Ordinal);
    }
}
