namespace EmiPlatform.Storage.Tests;

/// <summary>A store on its own freshly created container, deleted with everything in it at the end of the test.</summary>
internal sealed class TestContainer : IAsyncDisposable
{
    private TestContainer(BlobStore store) => Store = store;

    public BlobStore Store { get; }

    public static async Task<TestContainer> CreateAsync(string purpose, int blockSize = BlobStorageOptions.DefaultBlockSizeBytes, int parallelism = 4)
    {
        var store = new BlobStore(AzuriteEnvironment.Options(AzuriteEnvironment.NewContainerName(purpose), blockSize, parallelism));
        await store.EnsureContainerAsync();
        return new TestContainer(store);
    }

    public async ValueTask DisposeAsync() => await Store.DeleteContainerAsync();
}
