using Azure;

namespace EmiPlatform.Storage.Tests;

public class ConcurrentUploadTests
{
    [Fact]
    public async Task Many_concurrent_uploads_through_one_store_each_commit_their_own_bytes()
    {
        await using var container = await TestContainer.CreateAsync("concurrent", blockSize: 256 * 1024, parallelism: 4);
        var payloads = Enumerable.Range(0, 24).Select(i => TestData.RandomBytes(600_000 + (i * 1_000), seed: 100 + i)).ToArray();

        var results = await Task.WhenAll(payloads.Select((payload, i) =>
            container.Store.UploadAsync($"c/{i:D2}.bin", new MemoryStream(payload))));

        for (var i = 0; i < payloads.Length; i++)
        {
            Assert.Equal(TestData.Sha256Hex(payloads[i]), results[i].Sha256);
            Assert.Equal(payloads[i], await container.ReadAsync($"c/{i:D2}.bin"));
        }

        Assert.Equal(payloads.Length, (await container.NamesAsync("c/")).Count);
    }

    [Fact]
    public async Task Two_uploads_racing_for_one_name_never_commit_a_mix_of_both()
    {
        await using var container = await TestContainer.CreateAsync("race", blockSize: 128 * 1024, parallelism: 4);
        var first = TestData.RandomBytes(1_500_000, seed: 1);
        var second = TestData.RandomBytes(1_300_000, seed: 2);

        var uploads = new[]
        {
            container.Store.UploadAsync("same.bin", new MemoryStream(first)),
            container.Store.UploadAsync("same.bin", new MemoryStream(second)),
        };
        try
        {
            await Task.WhenAll(uploads);
        }
        catch (RequestFailedException)
        {
            // Committing one upload discards the other's uncommitted blocks, so the later commit may fail; checked below.
        }

        var succeeded = uploads.Where(u => u.IsCompletedSuccessfully).Select(u => u.Result).ToList();
        Assert.NotEmpty(succeeded);
        foreach (var failed in uploads.Where(u => u.IsFaulted))
        {
            var error = Assert.IsType<RequestFailedException>(failed.Exception!.InnerException);
            Assert.Equal("InvalidBlockList", error.ErrorCode);
        }

        var properties = (await container.Blob("same.bin").GetPropertiesAsync()).Value;
        var stored = await container.ReadAsync("same.bin");
        // The committed blob is exactly one upload's bytes, and it is the one whose ETag the store reports.
        Assert.True(stored.AsSpan().SequenceEqual(first) || stored.AsSpan().SequenceEqual(second));
        Assert.Contains(succeeded, r => r.ETag == properties.ETag && r.Sha256 == TestData.Sha256Hex(stored));
    }
}
