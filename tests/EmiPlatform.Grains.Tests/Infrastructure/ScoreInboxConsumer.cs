using EmiPlatform.Contracts;
using MassTransit;

namespace EmiPlatform.Grains.Tests.Infrastructure;

/// <summary>Receives on the scoring queue inside the silo, one message at a time, so the inbox keeps the queue's order.</summary>
public sealed class ScoreInboxConsumer(ScoreInbox inbox) : IConsumer<ScoreRecording>
{
    public Task Consume(ConsumeContext<ScoreRecording> context)
    {
        inbox.Deliver(context.Message.JobId);
        return Task.CompletedTask;
    }
}
