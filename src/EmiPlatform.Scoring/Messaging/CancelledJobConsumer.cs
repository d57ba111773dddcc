using EmiPlatform.Abstractions.Jobs;
using EmiPlatform.Contracts;
using EmiPlatform.Scoring.Jobs;
using MassTransit;
using Microsoft.Extensions.Logging;

namespace EmiPlatform.Scoring.Messaging;

/// <summary>
/// Every worker hears every <see cref="ScoringJobCompleted"/> (on a queue of its own); a "cancelled" one stops that
/// job's attempt if it runs in this process. The job row is already cancelled, so the attempt could not write anyway:
/// this only spares the cores and the wait.
/// </summary>
public sealed class CancelledJobConsumer(RunningAttempts running, ILogger<CancelledJobConsumer> logger) : IConsumer<ScoringJobCompleted>
{
    public async Task Consume(ConsumeContext<ScoringJobCompleted> context)
    {
        if (context.Message.State == JobStates.Cancelled && await running.AbortAsync(context.Message.JobId))
        {
            logger.LogInformation("Job {JobId} was cancelled; stopping its pipeline now", context.Message.JobId);
        }
    }
}
