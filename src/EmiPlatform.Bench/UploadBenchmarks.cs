using System.Diagnostics;
using Azure.Storage;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using EmiPlatform.Storage;
using BlobUploadOptions = EmiPlatform.Storage.BlobUploadOptions;
using SdkUploadOptions = Azure.Storage.Blobs.Models.BlobUploadOptions;

namespace EmiPlatform.Bench;

/// <summary>
/// Building blocks for upload benchmarks. The baselines are direct uploads of the file with the SDK, no hashing of ours:
/// <see cref="DirectSdkUploadAsync"/> (the SDK's own UploadAsync with its defaults, what a lab engineer would write) and
/// <see cref="DirectPutBlobAsync"/> (the file in one Put Blob, the baseline of earlier measurements).
/// </summary>
public static class UploadBenchmarks
{
    public static Task<UploadMeasurement> DirectSdkUploadAsync(BlobStore store, string filePath, string blobName, CancellationToken cancellationToken = default) =>
        MeasureAsync("direct SDK UploadAsync (its defaults)", new FileInfo(filePath).Length, async () =>
        {
            await using var file = OpenSequential(filePath);
            await store.Container.GetBlockBlobClient(blobName).UploadAsync(file, new SdkUploadOptions
            {
                HttpHeaders = new BlobHttpHeaders { ContentType = "application/octet-stream" },
            }, cancellationToken);
        });

    public static Task<UploadMeasurement> DirectPutBlobAsync(BlobStore store, string filePath, string blobName, CancellationToken cancellationToken = default) =>
        MeasureAsync("direct SDK single Put Blob", new FileInfo(filePath).Length, async () =>
        {
            await using var file = OpenSequential(filePath);
            await store.Container.GetBlockBlobClient(blobName).UploadAsync(file, new SdkUploadOptions
            {
                HttpHeaders = new BlobHttpHeaders { ContentType = "application/octet-stream" },
                // Put Blob takes up to 5000 MiB in one request; this keeps the SDK from splitting the file into blocks.
                TransferOptions = new StorageTransferOptions { InitialTransferSize = file.Length + 1, MaximumTransferSize = 4000L * 1024 * 1024 },
            }, cancellationToken);
        });

    public static Task<UploadMeasurement> StagedUploadAsync(BlobStore store, string filePath, string blobName, CancellationToken cancellationToken = default) =>
        MeasureAsync("upload-staged (our StageBlock x N + CommitBlockList, SHA-256, MD5 per block)", new FileInfo(filePath).Length, async () =>
        {
            await using var file = OpenSequential(filePath);
            await store.UploadAsync(blobName, file, new BlobUploadOptions { ContentType = "application/octet-stream" }, cancellationToken);
        });

    /// <summary>Writes <paramref name="bytes"/> of incompressible deterministic data to <paramref name="path"/> unless it is already there.</summary>
    public static async Task EnsurePayloadFileAsync(string path, long bytes, CancellationToken cancellationToken = default)
    {
        if (File.Exists(path) && new FileInfo(path).Length == bytes)
        {
            return;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var chunk = new byte[4 * 1024 * 1024];
        var random = new Random(20261122);
        var temp = path + ".partial";
        await using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20, useAsync: true))
        {
            for (long written = 0; written < bytes; written += chunk.Length)
            {
                random.NextBytes(chunk);
                await file.WriteAsync(chunk.AsMemory(0, (int)Math.Min(chunk.Length, bytes - written)), cancellationToken);
            }
        }

        File.Move(temp, path, overwrite: true);
    }

    internal static FileStream OpenSequential(string path) =>
        new(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);

    internal static async Task<UploadMeasurement> MeasureAsync(string mode, long bytes, Func<Task> upload)
    {
        var process = Process.GetCurrentProcess();
        GC.Collect();
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        using var sampler = new PeakWorkingSetSampler();
        var cpuBefore = process.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        await upload();
        clock.Stop();
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        process.Refresh();
        return new UploadMeasurement(mode, bytes, clock.Elapsed, allocated, Math.Max(sampler.Peak, process.WorkingSet64), process.TotalProcessorTime - cpuBefore);
    }
}
