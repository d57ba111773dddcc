using EmiPlatform.Contracts.Transport;
using EmiPlatform.Scoring.Hosting;
using MassTransit;
using Microsoft.Extensions.Options;
using Npgsql;

namespace EmiPlatform.Scoring.Messaging;

/// <summary>
/// The job queue's endpoint: as many messages in flight (and prefetched) as the worker runs pipelines, so a busy
/// worker never hoards jobs another could run. Retries cover only infrastructure errors around the job (a
/// database blip); a job's own failures are counted as attempts in its row, not redelivered.
/// </summary>
public sealed class ScoreRecordingConsumerDefinition : ConsumerDefinition<ScoreRecordingConsumer>
{
    private readonly int _concurrency;

    public ScoreRecordingConsumerDefinition(IOptions<MessagingOptions> messaging, IOptions<ScoringWorkerOptions> scoring, GpuInventory gpus)
    {
        _concurrency = scoring.Value.EffectiveConcurrency(gpus.Count);
        EndpointName = messaging.Value.ScoreQueue;
        ConcurrentMessageLimit = _concurrency;
    }

    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<ScoreRecordingConsumer> consumerConfigurator, IRegistrationContext context)
    {
        endpointConfigurator.UseMessageRetry(r =>
        {
            r.Handle<NpgsqlException>();
            r.Handle<TimeoutException>();
            r.Incremental(5, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2));
        });
        if (endpointConfigurator is IRabbitMqReceiveEndpointConfigurator rabbit)
        {
            rabbit.PrefetchCount = _concurrency;
        }
    }
}
