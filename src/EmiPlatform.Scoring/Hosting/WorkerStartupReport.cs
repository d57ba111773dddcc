using EmiPlatform.Bundles;
using EmiPlatform.Contracts.Transport;
using EmiPlatform.Inference;
using EmiPlatform.Inference.Scoring;
using EmiPlatform.Scoring.Messaging;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EmiPlatform.Scoring.Hosting;

/// <summary>
/// Says at start what this worker runs with: name, pipelines (slots), transport, execution provider and devices.
/// Resolving the pipeline here makes it probe CUDA at start: <c>cuda</c> without a usable GPU stops the host.
/// </summary>
public sealed class WorkerStartupReport(
    WorkerIdentity identity, GpuInventory gpus, IOptions<ScoringWorkerOptions> options, IOptions<MessagingOptions> messaging,
    IOptions<InferenceOptions> inference, IScoringPipeline pipeline, DefaultBundle defaultBundle, ILogger<WorkerStartupReport> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        logger.LogInformation(
            "Scoring worker {Worker}: {Slots} slot(s), transport {Transport} (queue {Queue}), execution provider {Requested} requested, running on {Placement}, {Gpus} GPU(s) listed by the driver, default bundle {Bundle}",
            identity.Name, options.Value.EffectiveConcurrency(gpus.Count), messaging.Value.Transport, messaging.Value.ScoreQueue,
            inference.Value.ExecutionProvider, pipeline.Placement, gpus.Count, defaultBundle.Directory ?? "(none: this host creates no jobs)");
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
