namespace EmiPlatform.Storage.Tests;

public class UploadRoundTripTests
{
    [Fact]
    public async Task Small_payload_round_trips_with_its_sha256()
    {
        await using var container = await TestContainer.CreateAsync("small");
        var payload = TestData.RandomBytes(10_000, seed: 1);

        var result = await container.Store.UploadAsync("a/small.bin", new MemoryStream(payload), new BlobUploadOptions { ContentType = "video/mp4" });

        Assert.Equal(payload.Length, result.Length);
        Assert.Equal(TestData.Sha256Hex(payload), result.Sha256);
        Assert.Equal(1, result.BlockCount);
        await using var download = await container.Store.DownloadAsync("a/small.bin");
        Assert.Equal(payload, await TestData.ReadAllAsync(download.Content));
        Assert.Equal("video/mp4", download.ContentType);
        var properties = await container.Store.GetPropertiesAsync("a/small.bin");
        Assert.NotNull(properties);
        Assert.Equal(payload.Length, properties.Length);
        Assert.Equal(result.Sha256, properties.Sha256);
        Assert.Equal("video/mp4", properties.ContentType);
    }

    [Fact]
    public async Task Empty_payload_makes_an_empty_blob()
    {
        await using var container = await TestContainer.CreateAsync("empty");

        var result = await container.Store.UploadAsync("empty.bin", Stream.Null);

        Assert.Equal(0, result.Length);
        Assert.Equal(TestData.Sha256Hex([]), result.Sha256);
        var properties = await container.Store.GetPropertiesAsync("empty.bin");
        Assert.NotNull(properties);
        Assert.Equal(0, properties.Length);
        await using var download = await container.Store.DownloadAsync("empty.bin");
        Assert.Empty(await TestData.ReadAllAsync(download.Content));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Multi_block_payload_is_staged_in_parallel_and_committed_in_order(bool transactionalMd5)
    {
        const int blockSize = 1024 * 1024;
        await using var container = await TestContainer.CreateAsync("multi", blockSize, parallelism: 4);
        // 20 MB that is not a multiple of the block size, so the last block is short.
        var payload = TestData.RandomBytes(20_000_000, seed: 2);

        var result = await container.Store.UploadAsync("multi.bin", new GeneratedPayload(payload), new BlobUploadOptions { TransactionalMd5 = transactionalMd5 });

        Assert.Equal(payload.Length, result.Length);
        Assert.Equal((payload.Length + blockSize - 1) / blockSize, result.BlockCount);
        Assert.Equal(TestData.Sha256Hex(payload), result.Sha256);
        var (committed, uncommitted) = await container.Store.GetBlockCountsAsync("multi.bin");
        Assert.Equal(result.BlockCount, committed);
        Assert.Equal(0, uncommitted);
        await using var download = await container.Store.DownloadAsync("multi.bin");
        var downloaded = await TestData.ReadAllAsync(download.Content);
        Assert.Equal(TestData.Sha256Hex(payload), TestData.Sha256Hex(downloaded));
        Assert.Equal(payload.Length, download.TotalLength);
    }

    [Fact]
    public async Task Payload_of_exactly_one_block_is_committed_as_one_block()
    {
        const int blockSize = 256 * 1024;
        await using var container = await TestContainer.CreateAsync("exact", blockSize);
        var payload = TestData.RandomBytes(blockSize, seed: 3);

        var result = await container.Store.UploadAsync("exact.bin", new GeneratedPayload(payload));

        Assert.Equal(1, result.BlockCount);
        await using var download = await container.Store.DownloadAsync("exact.bin");
        Assert.Equal(payload, await TestData.ReadAllAsync(download.Content));
    }

    [Fact]
    public async Task Ranged_download_returns_exactly_the_requested_bytes()
    {
        await using var container = await TestContainer.CreateAsync("range", blockSize: 1024 * 1024);
        var payload = TestData.RandomBytes(3_000_000, seed: 4);
        await container.Store.UploadAsync("range.bin", new MemoryStream(payload));

        await using (var middle = await container.Store.DownloadAsync("range.bin", new BlobRange(1_000_000, 500_000)))
        {
            Assert.Equal(500_000, middle.ContentLength);
            Assert.Equal(payload.Length, middle.TotalLength);
            Assert.Equal(payload.AsSpan(1_000_000, 500_000).ToArray(), await TestData.ReadAllAsync(middle.Content));
        }

        await using var tail = await container.Store.DownloadAsync("range.bin", new BlobRange(2_999_000));
        Assert.Equal(payload.AsSpan(2_999_000).ToArray(), await TestData.ReadAllAsync(tail.Content));
    }

    [Fact]
    public async Task Names_with_spaces_unicode_and_reserved_characters_round_trip()
    {
        await using var container = await TestContainer.CreateAsync("names");
        var name = "tenant 1/Probandin Ä #3/clip+take?=1&x%20.mp4";
        var payload = TestData.RandomBytes(1000, seed: 5);

        await container.Store.UploadAsync(name, new MemoryStream(payload));

        var listed = await container.Store.ListAsync("tenant 1/").ToListAsync();
        Assert.Equal(name, Assert.Single(listed).Name);
        await using var download = await container.Store.DownloadAsync(name);
        Assert.Equal(payload, await TestData.ReadAllAsync(download.Content));
        Assert.True(await container.Store.DeleteAsync(name));
    }

    [Fact]
    public async Task Overwrite_false_refuses_to_replace_an_existing_blob()
    {
        await using var container = await TestContainer.CreateAsync("nooverwrite");
        await container.Store.UploadAsync("once.bin", new MemoryStream([1, 2, 3]));

        var error = await Assert.ThrowsAsync<BlobStorageException>(() =>
            container.Store.UploadAsync("once.bin", new MemoryStream([4, 5]), new BlobUploadOptions { Overwrite = false }));

        Assert.Equal(409, error.Status);
        var properties = await container.Store.GetPropertiesAsync("once.bin");
        Assert.Equal(3, properties!.Length);
    }

    [Fact]
    public async Task Content_over_the_limit_commits_nothing()
    {
        await using var container = await TestContainer.CreateAsync("limit", blockSize: 256 * 1024);

        var error = await Assert.ThrowsAsync<BlobContentTooLargeException>(() =>
            container.Store.UploadAsync("big.bin", new GeneratedStream(2_000_000, seed: 6), new BlobUploadOptions { MaxLength = 1_000_000 }));

        Assert.Equal(1_000_000, error.MaxLength);
        Assert.Null(await container.Store.GetPropertiesAsync("big.bin"));
    }

    [Fact]
    public async Task Download_of_a_missing_blob_is_a_typed_not_found()
    {
        await using var container = await TestContainer.CreateAsync("missing");

        var error = await Assert.ThrowsAsync<BlobNotFoundException>(() => container.Store.DownloadAsync("nope.bin"));

        Assert.Equal(404, error.Status);
        Assert.Equal("BlobNotFound", error.ErrorCode);
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
