using System.Diagnostics.Metrics;
using EmiPlatform.Abstractions.Jobs;
using EmiPlatform.Data.Jobs;
using EmiPlatform.Telemetry;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EmiPlatform.Hosting.Telemetry;

/// <summary>
/// The <c>emi.jobs</c> gauge (jobs by tenant and state) on coordinator hosts. PostgreSQL holds every job's state
/// (<see cref="JobStore"/> writes it), so the count comes from there, not from the grains, which hold only the studies
/// active now. It is counted every <see cref="TelemetryOptions.JobStatesInterval"/> in the background rather than in
/// the gauge's callback, so a scrape never waits on the database and a slow database never stalls an exporter.
/// Every state of every tenant seen is reported, zeros included: OpenTelemetry keeps exporting a series' last value
/// when a callback stops reporting it, so a state that emptied would otherwise show its old count for ever.
/// </summary>
public sealed class JobStateGauge(JobStore jobs, EmiMetrics metrics, IOptions<TelemetryOptions> options, ILogger<JobStateGauge> logger) : BackgroundService
{
    private static readonly string[] States = [.. Enum.GetValues<JobState>().Select(s => s.Name())];

    private volatile IReadOnlyList<(Guid TenantId, string State, long Count)> _counts = [];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        metrics.ObserveJobs(Observe);
        using var timer = new PeriodicTimer(options.Value.JobStatesInterval);
        do
        {
            try
            {
                _counts = WithZeros(await jobs.CountByTenantAndStateAsync(stoppingToken));
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The gauge keeps its last counts; the next round tries again.
                logger.LogWarning(ex, "Could not count jobs by tenant and state for the emi.jobs gauge");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private List<(Guid TenantId, string State, long Count)> WithZeros(IReadOnlyList<(Guid TenantId, string State, long Count)> counts)
    {
        var byKey = counts.ToDictionary(c => (c.TenantId, c.State), c => c.Count);
        var tenants = _counts.Select(c => c.TenantId).Concat(counts.Select(c => c.TenantId)).Distinct();
        return [.. tenants.SelectMany(t => States.Select(s => (t, s, byKey.GetValueOrDefault((t, s)))))];
    }

    private IEnumerable<Measurement<long>> Observe() =>
        _counts.Select(c => new Measurement<long>(c.Count,
            new KeyValuePair<string, object?>(EmiTags.TenantId, c.TenantId.ToString()), new KeyValuePair<string, object?>(EmiTags.JobState, c.State)));
}
