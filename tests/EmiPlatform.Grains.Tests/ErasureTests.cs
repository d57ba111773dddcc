using System.Text.Json.Nodes;
using EmiPlatform.Abstractions.Studies;
using EmiPlatform.Abstractions.Tenants;
using EmiPlatform.Grains.Tests.Infrastructure;

namespace EmiPlatform.Grains.Tests;

/// <summary>
/// Every erasure of a study's rows goes through its grain, whatever asks (a recording, participant or study delete,
/// a tenant's erasure, the storage sweep's removal of a row whose blob is gone). Each test erases a study that is
/// mid-run while a scoring silo's timeline write holds a job of it: the erasure waits for that write instead of
/// deadlocking with it and succeeds at its first try (the grain's transaction has no retry: a deadlock victim would
/// fail the call), no job is left queued or running, and no study.completed is enqueued for the erased work.
/// </summary>
public sealed class ErasureTests
{
    [Fact]
    public async Task Deleting_a_participant_mid_run_ends_the_run_without_study_completed_and_waits_for_a_timeline_write()
    {
        await using var cluster = await GrainCluster.StartAsync();
        var (lab, studyId, jobs) = await MidRunAsync(cluster);
        var study = cluster.Study(studyId);
        var recorder = new EventRecorder();
        await study.SubscribeAsync(cluster.Client.CreateObjectReference<IStudyObserver>(recorder));
        var running = await cluster.ClaimAsync(jobs[0]);

        await using (var write = await cluster.BeginTimelineWriteAsync(running))
        {
            var deletion = study.DeleteParticipantAsync(lab.ParticipantOf(studyId));
            await cluster.WaitForLockWaitAsync();
            await write.CommitAsync();
            Assert.True(await deletion);
        }
        // The silo reports its commit after the erasure, as a real one would: the grain finds the job gone.
        await study.JobChangedAsync(running.Id);

        await AssertNothingInFlightAsync(cluster, lab);
        Assert.Equal(0L, await cluster.CountAsync("SELECT count(*) FROM participants WHERE id = $1", lab.ParticipantOf(studyId)));
        var progress = await study.GetProgressAsync();
        Assert.Equal((0, 0), (progress.Queued, progress.Running));
        Assert.NotNull(progress.CompletedAt);
        await Eventually.WaitAsync(() => recorder.Events.Any(e => e.Kind == StudyEventKind.Completed), GrainCluster.Patience, "observers hear the run ended");
        Assert.False(await study.DeleteParticipantAsync(lab.ParticipantOf(studyId)));
    }

    [Fact]
    public async Task Deleting_a_study_mid_run_erases_it_through_its_grain_which_then_forgets_it()
    {
        await using var cluster = await GrainCluster.StartAsync();
        var (lab, studyId, jobs) = await MidRunAsync(cluster);
        var study = cluster.Study(studyId);
        var recorder = new EventRecorder();
        await study.SubscribeAsync(cluster.Client.CreateObjectReference<IStudyObserver>(recorder));
        var running = await cluster.ClaimAsync(jobs[0]);

        await using (var write = await cluster.BeginTimelineWriteAsync(running))
        {
            var deletion = study.DeleteStudyAsync();
            await cluster.WaitForLockWaitAsync();
            await write.CommitAsync();
            Assert.True(await deletion);
        }
        await study.JobChangedAsync(running.Id);

        await AssertNothingInFlightAsync(cluster, lab);
        Assert.Equal(0L, await cluster.CountAsync("SELECT count(*) FROM studies WHERE id = $1", studyId));
        Assert.Equal(0L, await cluster.CountAsync("SELECT count(*) FROM study_runs WHERE study_id = $1", studyId));
        await Eventually.WaitAsync(() => recorder.Events.Any(e => e.Kind == StudyEventKind.Completed), GrainCluster.Patience, "observers hear the run ended");
        // A later activation finds no study: nothing to show, nothing to delete.
        Assert.Null((await study.GetProgressAsync()).RunId);
        Assert.False(await study.DeleteStudyAsync());
    }

    [Fact]
    public async Task Erasing_a_tenant_has_each_study_grain_erase_its_study_then_deletes_the_tenant()
    {
        await using var cluster = await GrainCluster.StartAsync();
        var (lab, studyId, jobs) = await MidRunAsync(cluster);
        var idle = await lab.StudyAsync();
        await lab.UploadManyAsync(idle, 2);
        // A study grain that is not active when the erasure comes activates for it (and tells the tenant's grain about
        // its queued jobs on the way, inside the erasure's call chain).
        await cluster.DeactivateAsync(cluster.Study(idle));
        var running = await cluster.ClaimAsync(jobs[0]);
        var tenant = cluster.Client.GetGrain<ITenantGrain>(lab.TenantId);

        await using (var write = await cluster.BeginTimelineWriteAsync(running))
        {
            var erasure = tenant.EraseAsync();
            await cluster.WaitForLockWaitAsync();
            await write.CommitAsync();
            Assert.True(await erasure);
        }
        await cluster.Study(studyId).JobChangedAsync(running.Id);

        await AssertNothingInFlightAsync(cluster, lab);
        foreach (var table in new[] { "tenants WHERE id", "studies WHERE tenant_id", "recordings WHERE tenant_id", "webhooks WHERE tenant_id" })
        {
            Assert.Equal(0L, await cluster.CountAsync($"SELECT count(*) FROM {table} = $1", lab.TenantId));
        }
        Assert.False(await tenant.EraseAsync());
    }

    [Fact]
    public async Task The_sweeps_erasure_of_a_running_recording_leaves_the_run_to_announce_only_the_work_that_is_left()
    {
        await using var cluster = await GrainCluster.StartAsync();
        var (lab, studyId, jobs) = await MidRunAsync(cluster);
        var study = cluster.Study(studyId);
        var running = await cluster.ClaimAsync(jobs[0]);
        var erased = await cluster.ScalarAsync<Guid>("SELECT recording_id FROM scoring_jobs WHERE id = $1", jobs[0]);

        await using (var write = await cluster.BeginTimelineWriteAsync(running))
        {
            // What StorageSweep asks for a row whose blob is gone.
            var erasure = study.EraseRecordingAsync(erased);
            await cluster.WaitForLockWaitAsync();
            await write.CommitAsync();
            Assert.NotNull(await erasure);
        }
        await study.JobChangedAsync(running.Id);
        Assert.Equal(0L, await CompletedDeliveriesAsync(cluster, lab));
        var progress = await study.GetProgressAsync();
        Assert.Equal((1, 0, null), (progress.Queued, progress.Running, progress.CompletedAt));

        // The job left ends the run, announced for that job alone.
        await cluster.SucceedAsync(await cluster.ClaimAsync(jobs[1]));
        Assert.Equal(1L, await CompletedDeliveriesAsync(cluster, lab));
        var payload = JsonNode.Parse(await cluster.ScalarAsync<string>(
            "SELECT payload FROM webhook_deliveries WHERE tenant_id = $1 AND event_type = 'study.completed'", lab.TenantId))!["study"]!["jobs"]!;
        Assert.Equal((1, 1), (payload["total"]!.GetValue<int>(), payload["succeeded"]!.GetValue<int>()));
    }

    /// <summary>A tenant with a webhook and a study whose run has two queued jobs.</summary>
    private static async Task<(GrainLab Lab, Guid StudyId, List<Guid> Jobs)> MidRunAsync(GrainCluster cluster)
    {
        var lab = await GrainLab.CreateAsync(cluster, await cluster.Seed.BundleAsync());
        await cluster.Seed.WebhookAsync(lab.TenantId);
        var studyId = await lab.StudyAsync();
        return (lab, studyId, await lab.UploadManyAsync(studyId, 2));
    }

    private static async Task AssertNothingInFlightAsync(GrainCluster cluster, GrainLab lab)
    {
        Assert.Equal(0L, await cluster.CountAsync("SELECT count(*) FROM scoring_jobs WHERE tenant_id = $1 AND state IN ('queued', 'running')", lab.TenantId));
        Assert.Equal(0L, await CompletedDeliveriesAsync(cluster, lab));
    }

    private static Task<long> CompletedDeliveriesAsync(GrainCluster cluster, GrainLab lab) =>
        cluster.CountAsync("SELECT count(*) FROM webhook_deliveries WHERE tenant_id = $1 AND event_type = 'study.completed'", lab.TenantId);
}
