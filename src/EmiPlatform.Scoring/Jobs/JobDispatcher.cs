using EmiPlatform.Contracts;
using EmiPlatform.Scoring.Hosting;
using EmiPlatform.Scoring.Messaging;
using MassTransit;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EmiPlatform.Scoring.Jobs;

/// <summary>
/// Turns the jobs table into messages: requeues running jobs whose lease expired, then sends one
/// <see cref="ScoreRecording"/> per due queued job. The row's dispatch lease is set before the send, so a lost message
/// (a broker restart, a crash between the two) only delays a job until the lease runs out. Any number of
/// dispatchers may run (API replicas, workers): SKIP LOCKED hands each due job to one of them.
/// </summary>
public sealed class JobDispatcher(
    JobStore store, IBus bus, JobSignal signal, IOptions<ScoringWorkerOptions> options, IOptions<MessagingOptions> messaging,
    ILogger<JobDispatcher> logger) : BackgroundService
{
    private const int Batch = 200;
    private static readonly TimeSpan SendTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan AfterSendFailure = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        var queue = new Uri($"queue:{messaging.Value.ScoreQueue}");
        while (!stoppingToken.IsCancellationRequested)
        {
            var more = false;
            try
            {
                foreach (var failed in await store.RequeueExpiredAsync(stoppingToken))
                {
                    logger.LogWarning("Job {JobId} failed: {Error}", failed.Id, failed.Error);
                    await bus.Publish(failed.ToEvent(), stoppingToken);
                }
                var due = await store.TakeDueAsync(Batch, settings.RedispatchAfter, stoppingToken);
                if (due.Count > 0)
                {
                    await SendAsync(queue, due, stoppingToken);
                }
                more = due.Count == Batch;
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(ex, "Dispatch round failed; retrying in {Interval}", settings.DispatchInterval);
            }
            if (!more)
            {
                try
                {
                    await signal.WaitAsync(settings.DispatchInterval, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private async Task SendAsync(Uri queue, IReadOnlyList<Guid> due, CancellationToken stoppingToken)
    {
        var sent = 0;
        try
        {
            var endpoint = await bus.GetSendEndpoint(queue);
            foreach (var id in due)
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                timeout.CancelAfter(SendTimeout);
                await endpoint.Send(new ScoreRecording(id), timeout.Token);
                sent++;
            }
            logger.LogDebug("Dispatched {Count} job(s)", sent);
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
        {
            // The broker is away: make the unsent jobs due again soon rather than after the full redispatch lease.
            logger.LogWarning(ex, "Could not send {Count} job message(s); retrying in {Delay}", due.Count - sent, AfterSendFailure);
            await store.PostponeAsync(due.Skip(sent).ToArray(), AfterSendFailure, CancellationToken.None);
        }
    }
}
