using EmiPlatform.Api.Recordings;
using Microsoft.Extensions.Options;

namespace EmiPlatform.Api.Storage;

/// <summary>
/// Runs the storage sweep every <see cref="RecordingOptions.SweepInterval"/>, deleting orphaned blobs (past the grace
/// period, or staging blobs no open upload wants) and logging rows whose blob is gone; and every
/// <see cref="RecordingOptions.StagingSweepInterval"/> deletes the expired direct uploads with their staging blobs, so
/// an abandoned upload's bytes go minutes after its SAS, not hours. Several API hosts may each sweep; deleting an orphan
/// twice is harmless.
/// </summary>
public sealed class StorageSweepTimer(IServiceScopeFactory scopes, IOptions<RecordingOptions> options, ILogger<StorageSweepTimer> logger)
    : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(
            EveryAsync(options.Value.SweepInterval, SweepAsync, stoppingToken),
            EveryAsync(options.Value.StagingSweepInterval, SweepExpiredUploadsAsync, stoppingToken));

    private async Task EveryAsync(TimeSpan interval, Func<StorageSweep, CancellationToken, Task> pass, CancellationToken stoppingToken)
    {
        if (interval <= TimeSpan.Zero)
        {
            return;
        }
        using var timer = new PeriodicTimer(interval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await pass(scope.ServiceProvider.GetRequiredService<StorageSweep>(), stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning(ex, "Storage sweep ({Pass}) failed; the next runs in {Interval}", pass.Method.Name, interval);
            }
        }
    }

    private async Task SweepAsync(StorageSweep sweep, CancellationToken stoppingToken)
    {
        var report = await sweep.RunAsync(remove: true, eraseLostRows: false, stoppingToken);
        if (report.OrphanBlobs.Count > 0)
        {
            logger.LogInformation("Storage sweep deleted {Count} orphaned blob(s)", report.OrphanBlobs.Count);
        }
        if (report.RowsWithoutBlob.Count > 0)
        {
            logger.LogWarning("Storage sweep found {Count} recording row(s) whose blob is gone, e.g. {RecordingId}; POST /v1/admin/storage/sweep?remove=true erases them",
                report.RowsWithoutBlob.Count, report.RowsWithoutBlob[0]);
        }
    }

    private async Task SweepExpiredUploadsAsync(StorageSweep sweep, CancellationToken stoppingToken)
    {
        if (await sweep.SweepExpiredUploadsAsync(stoppingToken) is > 0 and var count)
        {
            logger.LogInformation("Storage sweep deleted {Count} expired direct upload(s) with their staging blobs", count);
        }
    }
}
