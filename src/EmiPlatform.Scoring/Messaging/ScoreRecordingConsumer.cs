using EmiPlatform.Contracts;
using EmiPlatform.Scoring.Jobs;
using MassTransit;

namespace EmiPlatform.Scoring.Messaging;

/// <summary>Runs the job a <see cref="ScoreRecording"/> names; events are published after the job's final state is committed.</summary>
public sealed class ScoreRecordingConsumer(JobRunner runner) : IConsumer<ScoreRecording>
{
    public async Task Consume(ConsumeContext<ScoreRecording> context)
    {
        var outcome = await runner.RunAsync(context.Message.JobId, context.CancellationToken);
        if (outcome.Scored is { } scored)
        {
            await context.Publish(scored);
        }
        if (outcome.Finished is { } finished)
        {
            await context.Publish(finished.ToEvent());
        }
    }
}
