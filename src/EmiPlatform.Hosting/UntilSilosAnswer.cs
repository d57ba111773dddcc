using Microsoft.Extensions.Logging;

namespace EmiPlatform.Hosting;

/// <summary>
/// An API host may start before any silo: its Orleans client keeps trying to reach a gateway for two minutes instead
/// of failing its start at the first refusal.
/// </summary>
internal sealed class UntilSilosAnswer(ILogger<UntilSilosAnswer> logger) : IClientConnectionRetryFilter
{
    private static readonly TimeSpan GiveUpAfter = TimeSpan.FromMinutes(2);
    private readonly DateTime _started = DateTime.UtcNow;

    public async Task<bool> ShouldRetryConnectionAttempt(Exception exception, CancellationToken cancellationToken)
    {
        if (DateTime.UtcNow - _started > GiveUpAfter)
        {
            return false;
        }
        logger.LogInformation("No silo answers yet ({Error}); retrying in 1 s", exception.Message);
        await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
        return true;
    }
}
