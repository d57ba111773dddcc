using EmiPlatform.Contracts.Transport;
using EmiPlatform.Inference;
using EmiPlatform.Scoring.Bundles;
using EmiPlatform.Scoring.Messaging;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EmiPlatform.Scoring.Hosting;

/// <summary>Says at start what this worker runs with: name, pipelines, transport, execution provider, GPUs.</summary>
public sealed class WorkerStartupReport(
    WorkerIdentity identity, GpuInventory gpus, IOptions<ScoringWorkerOptions> options, IOptions<MessagingOptions> messaging,
    IOptions<InferenceOptions> inference, DefaultBundle defaultBundle, ILogger<WorkerStartupReport> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        logger.LogInformation(
            "Scoring worker {Worker}: {Concurrency} pipeline(s), transport {Transport} (queue {Queue}), execution provider {Provider} requested, {Gpus} GPU(s) found, default bundle {Bundle}",
            identity.Name, options.Value.EffectiveConcurrency(gpus.Count), messaging.Value.Transport, messaging.Value.ScoreQueue,
            inference.Value.ExecutionProvider, gpus.Count, defaultBundle.Directory ?? "(none: this host creates no jobs)");
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
