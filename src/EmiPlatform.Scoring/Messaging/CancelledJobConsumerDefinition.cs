using EmiPlatform.Contracts.Transport;
using MassTransit;
using Microsoft.Extensions.Options;

namespace EmiPlatform.Scoring.Messaging;

/// <summary>
/// A temporary queue per worker process (deleted when it stops), bound to the <c>ScoringJobCompleted</c> exchange, so
/// each worker hears each cancel; no retries: a missed cancel is caught by the attempt's heartbeat.
/// </summary>
public sealed class CancelledJobConsumerDefinition : ConsumerDefinition<CancelledJobConsumer>
{
    public CancelledJobConsumerDefinition(IOptions<MessagingOptions> messaging)
    {
        Endpoint(e =>
        {
            e.Name = $"{messaging.Value.QueuePrefix}job-cancels-{Guid.NewGuid():N}";
            e.Temporary = true;
        });
    }
}
