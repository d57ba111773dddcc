using System.Diagnostics;
using System.Net;
using EmiPlatform.Api.Tests.Infrastructure;
using EmiPlatform.Testing;
using Xunit.Abstractions;

namespace EmiPlatform.Api.Tests;

/// <summary>
/// A study with 200 000 timeline rows exports through the real host while its memory stays flat: the response (about
/// 60 MB of CSV) is far larger than anything the process may grow by. The API runs in this process, so the process's
/// working set and managed heap are the API's (plus the test's small read buffer); the class runs alone (its
/// collection disables parallelism) so no other test's traffic is counted. 200 000 rather than 1 000 000 rows keeps
/// it well under a minute on two shared cores; the benchmark (export-compare, docs/results.md) runs the million.
/// </summary>
[Collection(ExportMemoryCollection.Name)]
public sealed class ExportMemoryTests(ApiFactory api, ITestOutputHelper output) : IClassFixture<ApiFactory>
{
    private const int Recordings = 20;
    private const int WindowsPerRecording = 10_000;

    [Fact]
    public async Task A_200k_row_export_streams_with_constant_memory()
    {
        var seed = new TimelineSeeder(api);
        var (tenant, key) = await api.CreateTenantAsync();
        var study = await api.CreateStudyAsync(key, "Large study");
        var bundle = await seed.BundleAsync("memory-" + Guid.NewGuid().ToString("N")[..8], "1.0.0", DateTimeOffset.UtcNow);
        var seeding = Stopwatch.StartNew();
        var timelines = new List<SeededTimeline>();
        for (var p = 0; p < Recordings / 4; p++)
        {
            var participant = await seed.ParticipantAsync(tenant.Id, study.Id, $"P{p:000}");
            for (var r = 0; r < 4; r++)
            {
                var recording = await seed.RecordingAsync(tenant.Id, study.Id, participant, $"rec-{r}.mp4");
                timelines.Add(new SeededTimeline(recording, bundle, WindowsPerRecording, p * 4 + r));
            }
        }
        await seed.TimelinesAsync(tenant.Id, timelines);
        output.WriteLine($"seeded {Recordings * WindowsPerRecording} rows in {seeding.Elapsed.TotalSeconds:F1} s");

        var client = api.Client(key);
        // A small export first, so one-time costs (JIT, pools, the first connection) are not counted as growth.
        (await client.GetAsync($"/v1/studies/{study.Id}/export?format=aggregate")).EnsureSuccessStatusCode();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        var heapBefore = GC.GetTotalMemory(forceFullCollection: true);
        var workingSetBefore = Environment.WorkingSet;

        var peak = workingSetBefore;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                peak = Math.Max(peak, Environment.WorkingSet);
                await Task.Delay(20);
            }
        });

        var timer = Stopwatch.StartNew();
        using var response = await client.GetAsync($"/v1/studies/{study.Id}/export?format=long", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Null(response.Content.Headers.ContentLength);
        long bytes = 0, lines = 0;
        await using (var body = await response.Content.ReadAsStreamAsync())
        {
            var buffer = new byte[64 * 1024];
            int n;
            while ((n = await body.ReadAsync(buffer)) > 0)
            {
                bytes += n;
                lines += buffer.AsSpan(0, n).Count((byte)'\n');
            }
        }
        timer.Stop();
        await sampling.CancelAsync();
        await sampler;
        peak = Math.Max(peak, Environment.WorkingSet);
        var heapAfter = GC.GetTotalMemory(forceFullCollection: true);

        var growth = peak - workingSetBefore;
        output.WriteLine($"exported {lines - 1} rows, {bytes / 1e6:F1} MB in {timer.Elapsed.TotalSeconds:F1} s " +
                         $"({(lines - 1) / timer.Elapsed.TotalSeconds:F0} rows/s); working set {workingSetBefore / 1048576} MiB before, " +
                         $"peak {peak / 1048576} MiB (+{growth / 1048576} MiB); managed heap {heapBefore / 1048576} -> {heapAfter / 1048576} MiB");

        Assert.Equal(1 + Recordings * WindowsPerRecording, lines);
        // Buffering would need the whole body (~60 MB) at least once; streaming needs pipe segments and the pooled buffers.
        Assert.True(growth < 64L * 1024 * 1024 && growth < bytes / 4, $"working set grew by {growth / 1048576} MiB for a {bytes / 1048576} MiB export");
        Assert.True(heapAfter - heapBefore < 16L * 1024 * 1024, $"managed heap grew from {heapBefore} to {heapAfter} bytes");
    }
}
