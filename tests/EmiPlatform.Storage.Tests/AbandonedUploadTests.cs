using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;

namespace EmiPlatform.Storage.Tests;

public class AbandonedUploadTests
{
    private const int BlockSize = 256 * 1024;

    [Fact]
    public async Task Upload_whose_source_fails_midway_leaves_no_committed_blob()
    {
        await using var container = await TestContainer.CreateAsync("abandon", BlockSize, parallelism: 2);
        var source = new DisconnectingStream(new GeneratedStream(10 * BlockSize, seed: 1), failAfter: (5 * BlockSize) + 100);

        await Assert.ThrowsAsync<IOException>(() => container.Store.UploadAsync("dropped.bin", source));

        // Blocks were staged on the server before the failure, yet nothing was committed.
        var blocks = (await container.Store.Container.GetBlockBlobClient("dropped.bin").GetBlockListAsync(BlockListTypes.All)).Value;
        Assert.Empty(blocks.CommittedBlocks);
        Assert.NotEmpty(blocks.UncommittedBlocks);
        Assert.False(await container.Blob("dropped.bin").ExistsAsync());
        Assert.Empty(await container.NamesAsync());
    }

    [Fact]
    public async Task Cancelled_upload_leaves_no_committed_blob()
    {
        await using var container = await TestContainer.CreateAsync("cancel", BlockSize, parallelism: 2);
        using var cancel = new CancellationTokenSource();
        var source = new CancellingStream(new GeneratedStream(10 * BlockSize, seed: 2), cancelAfter: 3 * BlockSize, cancel);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            container.Store.UploadAsync("cancelled.bin", source, cancellationToken: cancel.Token));

        Assert.False(await container.Blob("cancelled.bin").ExistsAsync());
        Assert.Empty(await container.NamesAsync());
    }

    [Fact]
    public async Task Abandoned_replacement_leaves_the_existing_blob_untouched()
    {
        await using var container = await TestContainer.CreateAsync("keep", BlockSize);
        var original = TestData.RandomBytes(3 * BlockSize, seed: 3);
        var first = await container.Store.UploadAsync("kept.bin", new MemoryStream(original));
        var source = new DisconnectingStream(new GeneratedStream(10 * BlockSize, seed: 4), failAfter: 4 * BlockSize);

        await Assert.ThrowsAsync<IOException>(() => container.Store.UploadAsync("kept.bin", source));

        Assert.Equal(first.ETag, (await container.Blob("kept.bin").GetPropertiesAsync()).Value.ETag);
        Assert.Equal(original, await container.ReadAsync("kept.bin"));
    }

    /// <summary>Cancels the token after some bytes, like a request aborted by the client.</summary>
    private sealed class CancellingStream(Stream inner, long cancelAfter, CancellationTokenSource cancel) : ForwardOnlyStream
    {
        public override int Read(Span<byte> buffer)
        {
            if (Delivered >= cancelAfter)
            {
                cancel.Cancel();
                cancel.Token.ThrowIfCancellationRequested();
            }

            var n = inner.Read(buffer);
            Delivered += n;
            return n;
        }
    }
}
