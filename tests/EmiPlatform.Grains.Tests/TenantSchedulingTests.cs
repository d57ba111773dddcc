using EmiPlatform.Abstractions.Tenants;
using EmiPlatform.Grains.Tests.Infrastructure;

namespace EmiPlatform.Grains.Tests;

/// <summary>The tenant grain releases queued jobs to the scoring queue within the tenant's share, and studies take turns.</summary>
public sealed class TenantSchedulingTests
{
    [Fact]
    public async Task A_tenant_never_has_more_than_its_share_released_and_releases_more_as_jobs_finish()
    {
        await using var cluster = await GrainCluster.StartAsync(slots: 2);
        var bundle = await cluster.Seed.BundleAsync();
        var lab = await GrainLab.CreateAsync(cluster, bundle, maxConcurrentJobs: 3);
        var study = await lab.StudyAsync();
        var jobs = await lab.UploadManyAsync(study, 10);

        var released = await cluster.Inbox.SettleAsync(3);
        Assert.Equal(3, released.Count);
        Assert.Equal(jobs.Take(3), released);
        await cluster.Client.GetGrain<ITenantGrain>(lab.TenantId).ScheduleAsync();
        Assert.Equal(new TenantSchedule(Share: 3, InFlight: 3, Waiting: 10), await cluster.Client.GetGrain<ITenantGrain>(lab.TenantId).GetScheduleAsync());
        Assert.Equal(3, (await cluster.Inbox.SettleAsync(3)).Count);

        // A released job cancelled before any silo took it frees its slot.
        await cluster.Study(study).CancelJobAsync(jobs[2]);
        Assert.Equal(jobs.Take(4), await cluster.Inbox.SettleAsync(4));

        // Running jobs hold their slots as released ones do; a finished job frees exactly one.
        var first = await cluster.ClaimAsync(await cluster.Inbox.TakeAsync(TimeSpan.FromSeconds(5)));
        var second = await cluster.ClaimAsync(await cluster.Inbox.TakeAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal(4, (await cluster.Inbox.SettleAsync(4)).Count);
        await cluster.SucceedAsync(first);
        Assert.Equal(5, (await cluster.Inbox.SettleAsync(5)).Count);
        await cluster.SucceedAsync(second);
        Assert.Equal(jobs.Take(6), await cluster.Inbox.SettleAsync(6));
        Assert.Equal(new TenantSchedule(3, 3, 7), await cluster.Client.GetGrain<ITenantGrain>(lab.TenantId).GetScheduleAsync());
    }

    [Fact]
    public async Task Without_a_share_of_its_own_a_tenant_gets_the_scoring_slots_the_cluster_advertises()
    {
        await using var cluster = await GrainCluster.StartAsync(slots: 2);
        var lab = await GrainLab.CreateAsync(cluster, await cluster.Seed.BundleAsync());
        var study = await lab.StudyAsync();
        var jobs = await lab.UploadManyAsync(study, 5);

        Assert.Equal(jobs.Take(2), await cluster.Inbox.SettleAsync(2));
        Assert.Equal(new TenantSchedule(2, 2, 5), await cluster.Client.GetGrain<ITenantGrain>(lab.TenantId).GetScheduleAsync());
    }

    [Fact]
    public async Task Without_a_share_of_its_own_a_tenant_splits_the_slots_with_the_tenants_that_have_work()
    {
        await using var cluster = await GrainCluster.StartAsync(slots: 4);
        var bundle = await cluster.Seed.BundleAsync();
        var a = await GrainLab.CreateAsync(cluster, bundle);
        var jobsA = await a.UploadManyAsync(await a.StudyAsync(), 10);
        Assert.Equal(jobsA.Take(4), await cluster.Inbox.SettleAsync(4));

        // B arrives while A holds every slot: B is released half of them at once, A's share drops to the other half.
        var b = await GrainLab.CreateAsync(cluster, bundle);
        var jobsB = await b.UploadManyAsync(await b.StudyAsync(), 3);
        Assert.Equal(jobsA.Take(4).Concat(jobsB.Take(2)), await cluster.Inbox.SettleAsync(6));
        var tenantA = cluster.Client.GetGrain<ITenantGrain>(a.TenantId);
        Assert.Equal(new TenantSchedule(Share: 2, InFlight: 4, Waiting: 10), await tenantA.GetScheduleAsync());

        // A's finished jobs free slots, but A releases again only below its half.
        await cluster.SucceedAsync(await cluster.ClaimAsync(await cluster.Inbox.TakeAsync(TimeSpan.FromSeconds(5))));
        await cluster.SucceedAsync(await cluster.ClaimAsync(await cluster.Inbox.TakeAsync(TimeSpan.FromSeconds(5))));
        await tenantA.ScheduleAsync();
        Assert.Equal(6, (await cluster.Inbox.SettleAsync(6)).Count);
        await cluster.SucceedAsync(await cluster.ClaimAsync(await cluster.Inbox.TakeAsync(TimeSpan.FromSeconds(5))));
        Assert.Equal(jobsA[4], (await cluster.Inbox.SettleAsync(7))[6]);
    }

    [Fact]
    public async Task A_suspended_tenant_releases_nothing_even_as_its_slots_free_until_it_is_resumed()
    {
        await using var cluster = await GrainCluster.StartAsync(slots: 2);
        var lab = await GrainLab.CreateAsync(cluster, await cluster.Seed.BundleAsync());
        var study = await lab.StudyAsync();
        var jobs = await lab.UploadManyAsync(study, 5);
        Assert.Equal(jobs.Take(2), await cluster.Inbox.SettleAsync(2));
        var tenant = cluster.Client.GetGrain<ITenantGrain>(lab.TenantId);

        await cluster.ExecuteAsync("UPDATE tenants SET status = 'suspended' WHERE id = $1", lab.TenantId);
        await tenant.RefreshAsync();
        await cluster.SucceedAsync(await cluster.ClaimAsync(await cluster.Inbox.TakeAsync(TimeSpan.FromSeconds(5))));
        await cluster.SucceedAsync(await cluster.ClaimAsync(await cluster.Inbox.TakeAsync(TimeSpan.FromSeconds(5))));
        await tenant.ScheduleAsync();
        Assert.Equal(2, (await cluster.Inbox.SettleAsync(2)).Count);
        Assert.Equal(new UploadAdmission(UploadRefusal.TenantSuspended), await tenant.AdmitUploadAsync(1));

        await cluster.ExecuteAsync("UPDATE tenants SET status = 'active' WHERE id = $1", lab.TenantId);
        await tenant.RefreshAsync();
        Assert.Equal(jobs.Take(4), await cluster.Inbox.SettleAsync(4));
    }

    [Fact]
    public async Task A_study_with_few_jobs_is_released_in_turn_with_a_study_with_many_not_after_it()
    {
        await using var cluster = await GrainCluster.StartAsync(slots: 2);
        var lab = await GrainLab.CreateAsync(cluster, await cluster.Seed.BundleAsync(), maxConcurrentJobs: 1);
        var many = await lab.StudyAsync();
        var few = await lab.StudyAsync();
        var manyJobs = await lab.UploadManyAsync(many, 6);
        var fewJobs = await lab.UploadManyAsync(few, 2);
        var studyOf = manyJobs.ToDictionary(j => j, _ => "X").Concat(fewJobs.ToDictionary(j => j, _ => "Y")).ToDictionary();

        // One slot: each release waits for the previous job to finish, so the queue's order is the scheduler's.
        await using (var silo = new ScoringSilo(cluster, slots: 1, scoring: TimeSpan.Zero))
        {
            await Eventually.WaitAsync(() => silo.Completed.Count == 8, GrainCluster.Patience, "all 8 jobs completed");
        }

        // X's first job went out when it was uploaded; from then on the studies alternate while both have jobs
        // (first in, first out would be X X X X X X Y Y).
        var order = string.Join(' ', cluster.Inbox.Received.Select(j => studyOf[j]));
        Assert.Equal("X Y X Y X X X X", order);
    }
}
