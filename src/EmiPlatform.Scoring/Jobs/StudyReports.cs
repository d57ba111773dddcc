using EmiPlatform.Abstractions.Studies;
using EmiPlatform.Data.Jobs;
using Microsoft.Extensions.Logging;

namespace EmiPlatform.Scoring.Jobs;

/// <summary>
/// Tells a job's study grain what this silo committed. Best effort and never awaited by the job: the row is already
/// the truth, and the grain's reconciliation finds whatever a lost report did not say.
/// </summary>
public sealed class StudyReports(IGrainFactory grains, ILogger<StudyReports> logger)
{
    public void Changed(ClaimedJob job) => _ = ReportAsync(job, () => grains.GetGrain<IStudyGrain>(job.StudyId).JobChangedAsync(job.Id));

    public void Progress(ClaimedJob job, float fraction) =>
        _ = ReportAsync(job, () => grains.GetGrain<IStudyGrain>(job.StudyId).JobProgressAsync(job.Id, fraction));

    private async Task ReportAsync(ClaimedJob job, Func<Task> report)
    {
        try
        {
            await report();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            logger.LogInformation("Could not report job {JobId} to study {StudyId} ({Error}); its grain reconciles", job.Id, job.StudyId, ex.Message);
        }
    }
}
