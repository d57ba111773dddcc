using EmiPlatform.Api.Recordings;
using Microsoft.Extensions.Options;

namespace EmiPlatform.Api.Storage;

/// <summary>
/// Runs the storage sweep every <see cref="RecordingOptions.SweepInterval"/>, deleting orphaned blobs past the grace
/// period and logging rows whose blob is gone. Several API hosts may each sweep; deleting an orphan twice is harmless.
/// </summary>
public sealed class StorageSweepTimer(IServiceScopeFactory scopes, IOptions<RecordingOptions> options, ILogger<StorageSweepTimer> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.SweepInterval;
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
                var report = await scope.ServiceProvider.GetRequiredService<StorageSweep>().RunAsync(remove: true, eraseLostRows: false, stoppingToken);
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
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning(ex, "Storage sweep failed; the next runs in {Interval}", interval);
            }
        }
    }
}
