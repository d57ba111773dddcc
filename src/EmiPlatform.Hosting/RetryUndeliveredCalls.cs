using EmiPlatform.Abstractions.Studies;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;

namespace EmiPlatform.Hosting;

/// <summary>
/// While the cluster has not yet noticed that a silo died, calls routed to it are refused before they are delivered
/// (<see cref="OrleansMessageRejectionException"/>). Such a call never ran, so it is sent again, for up to ~15 s, by
/// when the dead silo is out of the membership and the grain activates elsewhere. Calls that may have run are not
/// retried here: their callers decide. Only the platform's own grain interfaces are retried.
/// </summary>
internal sealed class RetryUndeliveredCalls(ILogger<RetryUndeliveredCalls> logger) : IOutgoingGrainCallFilter
{
    private static readonly TimeSpan GiveUpAfter = TimeSpan.FromSeconds(15);

    public async Task Invoke(IOutgoingGrainCallContext context)
    {
        if (context.InterfaceMethod?.DeclaringType?.Assembly != typeof(IStudyGrain).Assembly)
        {
            // Orleans's own calls (probes, call cancellation) keep their own timing.
            await context.Invoke();
            return;
        }
        var started = DateTime.UtcNow;
        var delay = TimeSpan.FromMilliseconds(250);
        while (true)
        {
            try
            {
                await context.Invoke();
                return;
            }
            catch (OrleansMessageRejectionException ex) when (DateTime.UtcNow - started < GiveUpAfter)
            {
                logger.LogInformation("{Method} was not delivered ({Error}); sending it again in {Delay} ms",
                    context.InterfaceMethod?.Name, ex.Message, delay.TotalMilliseconds);
                await Task.Delay(delay);
                delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 2000));
            }
        }
    }
}
