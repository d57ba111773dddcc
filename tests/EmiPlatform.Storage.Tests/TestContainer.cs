using Azure.Storage.Blobs;

namespace EmiPlatform.Storage.Tests;

/// <summary>A store on its own freshly created container, deleted with everything in it at the end of the test.</summary>
internal sealed class TestContainer : IAsyncDisposable
{
    private TestContainer(BlobStore store) => Store = store;

    public BlobStore Store { get; }

    public static async Task<TestContainer> CreateAsync(
        string purpose, int blockSize = BlobStorageOptions.DefaultBlockSizeBytes, int parallelism = 4, BlobClientOptions? clientOptions = null)
    {
        var store = new BlobStore(AzuriteEnvironment.Options(AzuriteEnvironment.NewContainerName(purpose), blockSize, parallelism), clientOptions);
        await store.EnsureContainerAsync();
        return new TestContainer(store);
    }

    public BlobClient Blob(string name) => Store.Container.GetBlobClient(name);

    /// <summary>The committed blob's bytes, read with the SDK.</summary>
    public async Task<byte[]> ReadAsync(string name) => (await Blob(name).DownloadContentAsync()).Value.Content.ToArray();

    public async Task<List<string>> NamesAsync(string? prefix = null)
    {
        var names = new List<string>();
        await foreach (var item in Store.Container.GetBlobsAsync(new Azure.Storage.Blobs.Models.GetBlobsOptions { Prefix = prefix }))
        {
            names.Add(item.Name);
        }

        return names;
    }

    public async ValueTask DisposeAsync() => await Store.DeleteContainerAsync();
}
