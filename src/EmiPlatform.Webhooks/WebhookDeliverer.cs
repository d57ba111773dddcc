using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EmiPlatform.Webhooks;

/// <summary>
/// Sends due webhook deliveries: claims a batch (FOR UPDATE SKIP LOCKED, so any number of deliverers share the
/// work), sends them concurrently with a timeout each, and records every attempt: delivered on a 2xx, else retried
/// with exponential backoff until the attempts are used up, then failed.
/// </summary>
public sealed class WebhookDeliverer(
    WebhookOutbox outbox, WebhookSender sender, IOptions<WebhookOptions> options, ILogger<WebhookDeliverer> logger) : BackgroundService
{
    // A claim must outlast the slowest attempt of its batch, or a second deliverer would send the same row meanwhile.
    private static readonly TimeSpan LeaseMargin = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        while (!stoppingToken.IsCancellationRequested)
        {
            var full = false;
            try
            {
                await outbox.FailExhaustedAsync(settings.MaxAttempts, stoppingToken);
                var claimed = await outbox.ClaimAsync(settings.Concurrency, settings.Timeout + LeaseMargin, stoppingToken);
                await Parallel.ForEachAsync(claimed, new ParallelOptions { MaxDegreeOfParallelism = settings.Concurrency, CancellationToken = stoppingToken },
                    async (delivery, ct) => await DeliverAsync(delivery, ct));
                full = claimed.Count == settings.Concurrency;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "Webhook delivery round failed; retrying in {Interval}", settings.PollInterval);
            }
            if (!full)
            {
                try
                {
                    await Task.Delay(settings.PollInterval, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private async Task DeliverAsync(ClaimedDelivery delivery, CancellationToken stoppingToken)
    {
        var settings = options.Value;
        var attempt = await sender.SendAsync(delivery, stoppingToken);
        // Recorded even while the host stops: the attempt happened, and the receiver may have acted on it.
        var status = await outbox.RecordAsync(delivery, attempt, settings.MaxAttempts, settings.BackoffAfter(delivery.Attempt), CancellationToken.None);
        if (attempt.Delivered)
        {
            logger.LogInformation("Webhook delivery {DeliveryId} (event {EventId}) delivered on attempt {Attempt}: {Status}",
                delivery.Id, delivery.EventId, delivery.Attempt, attempt.StatusCode);
        }
        else
        {
            logger.LogWarning("Webhook delivery {DeliveryId} (event {EventId}) attempt {Attempt}/{Max} failed: {Error}; now {State}",
                delivery.Id, delivery.EventId, delivery.Attempt, settings.MaxAttempts, attempt.Error, status ?? "taken over");
        }
    }
}
