using Azure.Storage.Blobs.Models;

namespace EmiPlatform.Storage.Tests;

public class ContainerAndErasureTests
{
    [Fact]
    public async Task Creating_a_container_twice_is_fine_and_deleting_twice_reports_it()
    {
        var store = new BlobStore(AzuriteEnvironment.Options(AzuriteEnvironment.NewContainerName("idem")));

        await store.EnsureContainerAsync();
        await store.EnsureContainerAsync();

        Assert.True(await store.DeleteContainerAsync());
        Assert.False(await store.DeleteContainerAsync());
    }

    [Fact]
    public async Task Deleting_a_prefix_removes_exactly_the_blobs_under_it()
    {
        await using var container = await TestContainer.CreateAsync("prefix");
        for (var i = 0; i < 7; i++)
        {
            await container.Store.UploadAsync($"tenant-a/participant-{i}.bin", new MemoryStream(TestData.RandomBytes(10 + i, seed: i)));
        }

        await container.Store.UploadAsync("tenant-b/other.bin", new MemoryStream([1]));
        await container.Store.UploadAsync("tenant-ab.bin", new MemoryStream([1]));
        // A snapshot would keep the bytes of an erased recording; erasure takes it too.
        await container.Blob("tenant-a/participant-0.bin").CreateSnapshotAsync();

        Assert.Equal(7, await container.Store.DeletePrefixAsync("tenant-a/"));

        Assert.Equal(["tenant-ab.bin", "tenant-b/other.bin"], await container.NamesAsync());
        var snapshots = container.Store.Container.GetBlobsAsync(new GetBlobsOptions { Prefix = "tenant-a/", States = BlobStates.Snapshots });
        Assert.Empty(await snapshots.ToListAsync());
        Assert.Equal(0, await container.Store.DeletePrefixAsync("tenant-a/"));
    }

    [Fact]
    public async Task An_empty_prefix_is_refused_rather_than_erasing_everything()
    {
        await using var container = await TestContainer.CreateAsync("noprefix");
        await container.Store.UploadAsync("kept.bin", new MemoryStream([1]));

        await Assert.ThrowsAsync<ArgumentException>(() => container.Store.DeletePrefixAsync(""));

        Assert.Single(await container.NamesAsync());
    }
}
