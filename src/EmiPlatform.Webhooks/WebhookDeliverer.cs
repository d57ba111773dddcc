using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EmiPlatform.Webhooks;

/// <summary>
/// Sends due webhook deliveries: <see cref="WebhookOptions.Concurrency"/> senders, each claiming one due delivery at a
/// time (FOR UPDATE SKIP LOCKED, so any number of deliverers share the work), sending it with a timeout and recording
/// the attempt: delivered on a 2xx, else retried with exponential backoff until the attempts are used up, then failed.
/// A sender takes the next delivery as soon as its own is done, so one slow receiver holds up only its sender; and a
/// tenant's deliveries take at most <see cref="WebhookOptions.ConcurrencyPerTenant"/> senders, so a tenant whose
/// receivers stall (a tarpit) cannot delay any other tenant's.
/// </summary>
public sealed class WebhookDeliverer(
    WebhookOutbox outbox, WebhookSender sender, IOptions<WebhookOptions> options, ILogger<WebhookDeliverer> logger) : BackgroundService
{
    // A claim must outlast its attempt, or a second deliverer would send the same row meanwhile.
    private static readonly TimeSpan LeaseMargin = TimeSpan.FromSeconds(30);

    // Claims are serialised within this deliverer so the per-tenant counts they read are the ones they update.
    private readonly SemaphoreSlim claiming = new(1, 1);
    private readonly Dictionary<Guid, int> inFlight = [];

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(Enumerable.Range(0, options.Value.Concurrency).Select(_ => SendLoopAsync(stoppingToken)));

    public override void Dispose()
    {
        claiming.Dispose();
        base.Dispose();
    }

    private async Task SendLoopAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        while (!stoppingToken.IsCancellationRequested)
        {
            ClaimedDelivery? delivery = null;
            try
            {
                delivery = await ClaimOneAsync(settings, stoppingToken);
                if (delivery is not null)
                {
                    await DeliverAsync(delivery, stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "Webhook delivery failed to run; retrying in {Interval}", settings.PollInterval);
            }
            finally
            {
                if (delivery is not null)
                {
                    await ReleaseAsync(delivery.TenantId);
                }
            }
            if (delivery is null)
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

    private async Task<ClaimedDelivery?> ClaimOneAsync(WebhookOptions settings, CancellationToken stoppingToken)
    {
        await claiming.WaitAsync(stoppingToken);
        try
        {
            await outbox.FailExhaustedAsync(settings.MaxAttempts, stoppingToken);
            var full = inFlight.Where(t => t.Value >= settings.ConcurrencyPerTenant).Select(t => t.Key).ToList();
            var claimed = await outbox.ClaimAsync(1, settings.Timeout + LeaseMargin, full, stoppingToken);
            if (claimed is not [var delivery])
            {
                return null;
            }
            inFlight[delivery.TenantId] = inFlight.GetValueOrDefault(delivery.TenantId) + 1;
            return delivery;
        }
        finally
        {
            claiming.Release();
        }
    }

    private async Task ReleaseAsync(Guid tenantId)
    {
        await claiming.WaitAsync(CancellationToken.None);
        try
        {
            if (--inFlight[tenantId] == 0)
            {
                inFlight.Remove(tenantId);
            }
        }
        finally
        {
            claiming.Release();
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
