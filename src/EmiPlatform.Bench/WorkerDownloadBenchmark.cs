using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using EmiPlatform.Storage;

namespace EmiPlatform.Bench;

/// <summary>
/// <c>worker-download</c> (issue 13): what the scoring worker pays per recording before it scores — the blob streamed
/// to a temporary file while its SHA-256 is computed (<see cref="IBlobStore.DownloadAndHashAsync"/>, the worker's
/// path) — against the SDK's own DownloadToAsync of the same blob to a file with no hash, alternating, in one run.
/// </summary>
internal static class WorkerDownloadBenchmark
{
    public static async Task<int> RunAsync(BlobStore store, string file, int repeat)
    {
        var bytes = new FileInfo(file).Length;
        var blobName = $"bench/{Guid.NewGuid():N}.bin";
        BlobUploadResult uploaded;
        await using (var source = UploadBenchmarks.OpenSequential(file))
        {
            uploaded = await store.UploadAsync(blobName, source);
        }

        var target = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(file))!, $"download-{Guid.NewGuid():N}.tmp");
        Console.WriteLine($"blob {blobName} ({bytes} bytes, SHA-256 {uploaded.Sha256}); downloads go to {target}");
        var worker = new List<double>();
        var sdk = new List<double>();
        try
        {
            for (var run = 0; run < repeat; run++)
            {
                sdk.Add(await TimeAsync("SDK DownloadToAsync (no hash)", bytes, async () =>
                    await store.Container.GetBlobClient(blobName).DownloadToAsync(target)));
                worker.Add(await TimeAsync("worker: download to file + SHA-256 check", bytes, async () =>
                {
                    await using var stream = new FileStream(target, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous);
                    var hashed = await store.DownloadAndHashAsync(blobName, stream);
                    if (hashed.Sha256 != uploaded.Sha256)
                    {
                        throw new InvalidOperationException("the downloaded bytes do not hash to the uploaded SHA-256");
                    }
                }));
            }
        }
        finally
        {
            File.Delete(target);
            await store.Container.GetBlobClient(blobName).DeleteIfExistsAsync();
        }

        var workerMedian = Median(worker);
        var sdkMedian = Median(sdk);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"worker download + hash: median {workerMedian:F2} s per recording of {bytes / 1e6:F1} MB ({bytes / 1e6 / workerMedian:F1} MB/s); " +
            $"SDK DownloadToAsync: median {sdkMedian:F2} s; worker / SDK time {workerMedian / sdkMedian:F2} over {repeat} run(s)"));
        Console.WriteLine(JsonSerializer.Serialize(new
        {
            bytes,
            worker_seconds = workerMedian,
            sdk_download_seconds = sdkMedian,
            ratio_time = workerMedian / sdkMedian,
            runs = repeat,
        }));
        return 0;
    }

    private static async Task<double> TimeAsync(string mode, long bytes, Func<Task> download)
    {
        var clock = Stopwatch.StartNew();
        await download();
        var seconds = clock.Elapsed.TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {mode}: {bytes / 1e6:F1} MB in {seconds:F2} s = {bytes / 1e6 / seconds:F1} MB/s"));
        return seconds;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
