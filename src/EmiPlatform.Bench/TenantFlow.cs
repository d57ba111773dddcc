namespace EmiPlatform.Bench;

/// <summary>
/// Tenant B of the <c>neighbours</c> benchmark, a lab's normal flow: two clients alternating list and timeline
/// requests 100 ms apart, an export every 6 s (inside the shipped export budget) and an upload of a distinct 1-second
/// WAV every 2 s, which the platform scores; every request through <see cref="LoadBenchmark.SendAsync"/>.
/// </summary>
internal sealed class TenantFlow(HttpClient http, LoadBenchmark.Lab lab)
{
    private static readonly TimeSpan Think = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan ExportEvery = TimeSpan.FromSeconds(6);
    private static readonly TimeSpan UploadEvery = TimeSpan.FromSeconds(2);
    private int _seed;
    private int _uploaded;

    /// <summary>Uploads answered 2xx so far, over every run: each one's job must be scored.</summary>
    public int Uploaded => Volatile.Read(ref _uploaded);

    public async Task RunAsync(LoadRecorder recorder, TimeSpan duration)
    {
        var until = DateTime.UtcNow + duration;
        var readers = Enumerable.Range(0, 2).Select(c => Task.Run(async () =>
        {
            for (var i = c; DateTime.UtcNow < until; i++)
            {
                await (i % 2 == 0
                    ? LoadBenchmark.SendAsync(http, recorder, "list", () => lab.List(i / 2))
                    : LoadBenchmark.SendAsync(http, recorder, "timeline", () => lab.Timeline(i / 2)));
                await Task.Delay(Think);
            }
        }));
        var exports = Every(ExportEvery, until, () => LoadBenchmark.SendAsync(http, recorder, "export", lab.Export));
        var uploads = Every(UploadEvery, until, async () =>
        {
            var before = recorder.Count("upload", "2xx");
            var seed = Interlocked.Increment(ref _seed);
            await LoadBenchmark.SendAsync(http, recorder, "upload", () => lab.Upload(seed, 1_000_000 + seed));
            if (recorder.Count("upload", "2xx") > before)
            {
                Interlocked.Increment(ref _uploaded);
            }
        });
        await Task.WhenAll(readers.Append(exports).Append(uploads));
    }

    /// <summary>Runs <paramref name="send"/> every <paramref name="period"/> (or right after the previous one, if it took longer) until <paramref name="until"/>.</summary>
    private static async Task Every(TimeSpan period, DateTime until, Func<Task> send)
    {
        while (DateTime.UtcNow < until)
        {
            var next = DateTime.UtcNow + period;
            await send();
            var wait = next - DateTime.UtcNow;
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait);
            }
        }
    }
}
