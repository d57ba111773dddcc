using EmiPlatform.Abstractions.Studies;
using EmiPlatform.Abstractions.Tenants;
using EmiPlatform.Abstractions.Jobs;
using EmiPlatform.Data;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EmiPlatform.Hosting;

/// <summary>
/// When a coordinator silo starts, wakes the grains of every study and tenant with jobs queued or running, so work
/// left by a stopped platform resumes even where no reminder survived (the embedded default keeps reminders in memory).
/// </summary>
internal sealed class CoordinationResume(EmiDataSources database, IGrainFactory grains, ILogger<CoordinationResume> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var command = database.Admin.CreateCommand(
            $"SELECT DISTINCT tenant_id, study_id FROM scoring_jobs WHERE state IN ('{JobStates.Queued}', '{JobStates.Running}')");
        var pending = new List<(Guid Tenant, Guid Study)>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                pending.Add((reader.GetGuid(0), reader.GetGuid(1)));
            }
        }
        foreach (var (tenant, study) in pending)
        {
            await grains.GetGrain<IStudyGrain>(study).GetProgressAsync();
            await grains.GetGrain<ITenantGrain>(tenant).ScheduleAsync();
        }
        if (pending.Count > 0)
        {
            logger.LogInformation("Resumed coordination of {Studies} study(ies) with unfinished jobs", pending.Count);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
