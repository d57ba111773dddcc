namespace EmiPlatform.Storage.Tests;

public class ContainerAndListingTests
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
    public async Task Listing_by_prefix_follows_paging_markers()
    {
        await using var container = await TestContainer.CreateAsync("list");
        var expected = new List<string>();
        for (var i = 0; i < 7; i++)
        {
            var name = $"tenant-a/participant-{i}.bin";
            expected.Add(name);
            await container.Store.UploadAsync(name, new MemoryStream(TestData.RandomBytes(10 + i, seed: i)));
        }

        await container.Store.UploadAsync("tenant-b/other.bin", new MemoryStream([1]));
        await container.Store.UploadAsync("tenant-ab.bin", new MemoryStream([1]));

        var pages = new List<BlobListPage>();
        string? marker = null;
        do
        {
            var page = await container.Store.ListPageAsync("tenant-a/", marker, pageSize: 3);
            pages.Add(page);
            marker = page.NextMarker;
        }
        while (marker is not null);

        Assert.Equal([3, 3, 1], pages.Select(p => p.Items.Count));
        Assert.Equal(expected, pages.SelectMany(p => p.Items).Select(i => i.Name));
        var all = await container.Store.ListAsync("tenant-a/", pageSize: 2).ToListAsync();
        Assert.Equal(expected, all.Select(i => i.Name));
        Assert.Equal(16, all[6].Length);
        Assert.Equal(TestData.Sha256Hex(TestData.RandomBytes(16, seed: 6)), all[6].Sha256);
        Assert.Equal(9, (await container.Store.ListAsync().ToListAsync()).Count);
    }

    [Fact]
    public async Task Delete_removes_the_blob_and_is_idempotent()
    {
        await using var container = await TestContainer.CreateAsync("delete");
        await container.Store.UploadAsync("gone.bin", new MemoryStream([1, 2, 3]));

        Assert.True(await container.Store.DeleteAsync("gone.bin"));
        Assert.False(await container.Store.DeleteAsync("gone.bin"));

        Assert.Null(await container.Store.GetPropertiesAsync("gone.bin"));
        Assert.Empty(await container.Store.ListAsync().ToListAsync());
    }
}
