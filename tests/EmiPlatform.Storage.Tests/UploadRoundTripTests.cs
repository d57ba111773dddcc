using Azure;
using Azure.Storage.Blobs.Specialized;

namespace EmiPlatform.Storage.Tests;

public class UploadRoundTripTests
{
    [Fact]
    public async Task Small_payload_round_trips_with_its_sha256_as_metadata()
    {
        await using var container = await TestContainer.CreateAsync("small");
        var payload = TestData.RandomBytes(10_000, seed: 1);

        var result = await container.Store.UploadAsync("a/small.bin", new MemoryStream(payload), new BlobUploadOptions { ContentType = "video/mp4" });

        Assert.Equal(payload.Length, result.Length);
        Assert.Equal(TestData.Sha256Hex(payload), result.Sha256);
        Assert.Equal(1, result.BlockCount);
        Assert.Equal(payload, await container.ReadAsync("a/small.bin"));
        var properties = (await container.Blob("a/small.bin").GetPropertiesAsync()).Value;
        Assert.Equal(payload.Length, properties.ContentLength);
        Assert.Equal(result.Sha256, BlobStore.Sha256Of(properties.Metadata));
        Assert.Equal("video/mp4", properties.ContentType);
        Assert.Equal(result.ETag, properties.ETag);
    }

    [Fact]
    public async Task Empty_payload_makes_an_empty_blob()
    {
        await using var container = await TestContainer.CreateAsync("empty");

        var result = await container.Store.UploadAsync("empty.bin", Stream.Null);

        Assert.Equal(0, result.Length);
        Assert.Equal(TestData.Sha256Hex([]), result.Sha256);
        Assert.Empty(await container.ReadAsync("empty.bin"));
    }

    [Fact]
    public async Task Multi_block_payload_is_staged_in_parallel_and_committed_in_order()
    {
        const int blockSize = 1024 * 1024;
        await using var container = await TestContainer.CreateAsync("multi", blockSize, parallelism: 4);
        // 20 MB that is not a multiple of the block size, so the last block is short.
        var payload = TestData.RandomBytes(20_000_000, seed: 2);

        var result = await container.Store.UploadAsync("multi.bin", new GeneratedPayload(payload));

        Assert.Equal(payload.Length, result.Length);
        Assert.Equal((payload.Length + blockSize - 1) / blockSize, result.BlockCount);
        Assert.Equal(TestData.Sha256Hex(payload), result.Sha256);
        var blocks = (await container.Store.Container.GetBlockBlobClient("multi.bin").GetBlockListAsync()).Value;
        Assert.Equal(result.BlockCount, blocks.CommittedBlocks.Count());
        Assert.Empty(blocks.UncommittedBlocks);
        var hashed = await container.Store.DownloadAndHashAsync("multi.bin", Stream.Null);
        Assert.Equal((payload.LongLength, result.Sha256, result.ETag), (hashed.Length, hashed.Sha256, hashed.ETag));
    }

    [Fact]
    public async Task Payload_of_exactly_one_block_is_committed_as_one_block()
    {
        const int blockSize = 256 * 1024;
        await using var container = await TestContainer.CreateAsync("exact", blockSize);
        var payload = TestData.RandomBytes(blockSize, seed: 3);

        var result = await container.Store.UploadAsync("exact.bin", new GeneratedPayload(payload));

        Assert.Equal(1, result.BlockCount);
        Assert.Equal(payload, await container.ReadAsync("exact.bin"));
    }

    [Fact]
    public async Task Download_and_hash_writes_the_bytes_it_hashed()
    {
        await using var container = await TestContainer.CreateAsync("hash", blockSize: 256 * 1024);
        var payload = TestData.RandomBytes(3_000_000, seed: 4);
        var uploaded = await container.Store.UploadAsync("hash.bin", new MemoryStream(payload));
        using var copy = new MemoryStream();

        var hashed = await container.Store.DownloadAndHashAsync("hash.bin", copy);

        Assert.Equal(payload, copy.ToArray());
        Assert.Equal(TestData.Sha256Hex(payload), hashed.Sha256);
        Assert.Equal(uploaded.ETag, hashed.ETag);
    }

    [Fact]
    public async Task Names_with_spaces_unicode_and_reserved_characters_round_trip()
    {
        await using var container = await TestContainer.CreateAsync("names");
        var name = "tenant 1/Probandin Ä #3/clip+take?=1&x%20.mp4";
        var payload = TestData.RandomBytes(1000, seed: 5);

        await container.Store.UploadAsync(name, new MemoryStream(payload));

        Assert.Equal(name, Assert.Single(await container.NamesAsync("tenant 1/")));
        Assert.Equal(payload, await container.ReadAsync(name));
        Assert.Equal(1, await container.Store.DeletePrefixAsync("tenant 1/"));
    }

    [Theory]
    [InlineData(3)]
    [InlineData(600_000)]
    public async Task Overwrite_false_refuses_to_replace_an_existing_blob(int size)
    {
        await using var container = await TestContainer.CreateAsync("nooverwrite", blockSize: 256 * 1024);
        await container.Store.UploadAsync("once.bin", new MemoryStream([1, 2, 3]));

        var error = await Assert.ThrowsAsync<RequestFailedException>(() =>
            container.Store.UploadAsync("once.bin", new MemoryStream(TestData.RandomBytes(size, seed: 6)), new BlobUploadOptions { Overwrite = false }));

        Assert.Equal(409, error.Status);
        Assert.Equal([1, 2, 3], await container.ReadAsync("once.bin"));
    }

    [Fact]
    public async Task Content_over_the_limit_commits_nothing()
    {
        await using var container = await TestContainer.CreateAsync("limit", blockSize: 256 * 1024);

        var error = await Assert.ThrowsAsync<BlobContentTooLargeException>(() =>
            container.Store.UploadAsync("big.bin", new GeneratedStream(2_000_000, seed: 6), new BlobUploadOptions { MaxLength = 1_000_000 }));

        Assert.Equal(1_000_000, error.MaxLength);
        Assert.False(await container.Blob("big.bin").ExistsAsync());
    }

    /// <summary>Serves a byte array through a forward-only stream, in odd-sized reads, like a network body.</summary>
    private sealed class GeneratedPayload(byte[] data) : MemoryStream(data, writable: false)
    {
        public override bool CanSeek => false;

        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, 65_521));

        public override int Read(Span<byte> buffer) => base.Read(buffer[..Math.Min(buffer.Length, 65_521)]);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(Read(buffer.Span));
    }
}
