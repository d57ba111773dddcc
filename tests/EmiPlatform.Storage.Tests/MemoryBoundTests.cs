using System.Security.Cryptography;
using Xunit.Abstractions;

namespace EmiPlatform.Storage.Tests;

/// <summary>Runs alone: it measures the whole process's allocations, which parallel tests would inflate.</summary>
[CollectionDefinition(nameof(MemoryBoundTests), DisableParallelization = true)]
public class MemoryBoundCollection;

[Collection(nameof(MemoryBoundTests))]
public class MemoryBoundTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Uploading_200_MB_allocates_a_small_multiple_of_block_size_times_parallelism()
    {
        const long size = 200L * 1024 * 1024;
        const int blockSize = 4 * 1024 * 1024;
        const int parallelism = 4;
        await using var container = await TestContainer.CreateAsync("memory", blockSize, parallelism);
        // Warm up the pipeline, connection pool and array pool so the measurement is of the steady state.
        await container.Store.UploadAsync("warmup.bin", new GeneratedStream(4L * parallelism * blockSize, seed: 9));

        GC.Collect();
        GC.WaitForPendingFinalizers();
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var result = await container.Store.UploadAsync("big.bin", new GeneratedStream(size, seed: 1));
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        output.WriteLine($"200 MiB staged upload: {allocated / (1024 * 1024.0):F1} MiB allocated, {size / (1024 * 1024.0) / clock.Elapsed.TotalSeconds:F0} MiB/s");

        Assert.Equal(size, result.Length);
        Assert.Equal(await Sha256OfGeneratedAsync(size, seed: 1), result.Sha256);
        // Buffering the body would allocate at least 200 MiB; the pooled design needs blockSize × parallelism at most
        // (already pooled after warm-up) plus per-request overhead. Twice that (32 MiB) is generous and 6x below buffering.
        const long bound = 2L * blockSize * parallelism;
        Assert.True(allocated < bound, $"allocated {allocated / (1024 * 1024.0):F1} MiB during a 200 MiB upload (bound {bound / (1024 * 1024)} MiB)");
        Assert.Equal(size, (await container.Blob("big.bin").GetPropertiesAsync()).Value.ContentLength);
    }

    private static async Task<string> Sha256OfGeneratedAsync(long size, int seed)
    {
        using var sha = SHA256.Create();
        return Convert.ToHexStringLower(await sha.ComputeHashAsync(new GeneratedStream(size, seed)));
    }
}
