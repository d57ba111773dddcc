using EmiPlatform.Grains.Tests.Infrastructure;

namespace EmiPlatform.Grains.Tests;

/// <summary>The study grain's reconciliation takes back jobs whose scoring silo stopped renewing the lease.</summary>
public sealed class LeaseReconciliationTests
{
    [Fact]
    public async Task An_expired_lease_is_requeued_and_released_again_and_fails_the_job_once_its_attempts_are_used_up()
    {
        await using var cluster = await GrainCluster.StartAsync(coordination: o =>
        {
            o.MaxAttempts = 2;
            o.ReconcileInterval = TimeSpan.FromMilliseconds(200);
        });
        var lab = await GrainLab.CreateAsync(cluster, await cluster.Seed.BundleAsync());
        var studyId = await lab.StudyAsync();
        var job = (await lab.UploadManyAsync(studyId, 1))[0];
        Assert.Equal(job, await cluster.Inbox.TakeAsync(TimeSpan.FromSeconds(10)));

        // The silo that claimed it dies: nobody renews the lease, and nobody reports.
        var lost = await cluster.ClaimAsync(job);
        await ExpireLeaseAsync(cluster, job);
        await Eventually.WaitAsync(async () => await cluster.ScalarAsync<string>("SELECT state FROM scoring_jobs WHERE id = $1", job) == "queued",
            GrainCluster.Patience, "the expired job queued again");
        Assert.Contains("stopped renewing its lease", await cluster.ScalarAsync<string>("SELECT error FROM scoring_jobs WHERE id = $1", job));
        Assert.Equal(job, await cluster.Inbox.TakeAsync(TimeSpan.FromSeconds(10)));
        Assert.False(await cluster.Jobs.HeartbeatAsync(lost, 0.5f, TimeSpan.FromMinutes(1), CancellationToken.None));

        var second = await cluster.ClaimAsync(job);
        Assert.Equal(2, second.Attempt);
        await ExpireLeaseAsync(cluster, job);
        await Eventually.WaitAsync(async () => (await cluster.Study(studyId).GetProgressAsync()).Failed == 1, GrainCluster.Patience, "the job failed");

        Assert.Equal("failed", await cluster.ScalarAsync<string>("SELECT state FROM scoring_jobs WHERE id = $1", job));
        Assert.Equal(2, await cluster.ScalarAsync<int>("SELECT attempts FROM scoring_jobs WHERE id = $1", job));
        Assert.NotNull((await cluster.Study(studyId).GetProgressAsync()).CompletedAt);
        // Failed for good: not released a third time.
        Assert.Equal(2, (await cluster.Inbox.SettleAsync(2)).Count);
    }

    private static Task ExpireLeaseAsync(GrainCluster cluster, Guid job) =>
        cluster.ExecuteAsync("UPDATE scoring_jobs SET lease_expires_at = now() - interval '1 second' WHERE id = $1 AND state = 'running'", job);
}
