using System.Text.Json.Nodes;
using EmiPlatform.Abstractions.Studies;
using EmiPlatform.Grains.Tests.Infrastructure;

namespace EmiPlatform.Grains.Tests;

/// <summary>The study grain's runs: counters, cancels, and one study.completed event per run whatever is repeated.</summary>
public sealed class StudyRunTests
{
    [Fact]
    public async Task Study_completed_is_enqueued_once_per_run_despite_repeated_reports_and_reactivations()
    {
        await using var cluster = await GrainCluster.StartAsync();
        var lab = await GrainLab.CreateAsync(cluster, await cluster.Seed.BundleAsync());
        await cluster.Seed.WebhookAsync(lab.TenantId);
        var studyId = await lab.StudyAsync();
        var study = cluster.Study(studyId);
        var jobs = await lab.UploadManyAsync(studyId, 2);
        var firstRun = (await study.GetProgressAsync()).RunId!.Value;

        await cluster.SucceedAsync(await cluster.ClaimAsync(jobs[0]));
        var last = await cluster.ClaimAsync(jobs[1]);
        // The last success is committed while no activation exists: the next one finds the run done and ends it.
        await cluster.DeactivateAsync(study);
        await cluster.CommitSuccessAsync(last);
        var ended = await study.GetProgressAsync();
        Assert.Equal((firstRun, 2, 0, 0), (ended.RunId!.Value, ended.Succeeded, ended.Queued, ended.Running));
        Assert.NotNull(ended.CompletedAt);

        for (var i = 0; i < 3; i++)
        {
            await study.JobChangedAsync(jobs[0]);
            await study.JobChangedAsync(jobs[1]);
            await cluster.DeactivateAsync(study);
            await study.GetProgressAsync();
        }
        Assert.Equal(1L, await CompletedDeliveriesAsync(cluster, firstRun));
        var payload = JsonNode.Parse(await cluster.ScalarAsync<string>(
            "SELECT payload FROM webhook_deliveries WHERE run_id = $1 AND event_type = 'study.completed'", firstRun))!;
        Assert.Equal(firstRun, payload["study"]!["runId"]!.GetValue<Guid>());
        Assert.Equal(2, payload["study"]!["jobs"]!["total"]!.GetValue<int>());
        Assert.Equal(2, payload["study"]!["jobs"]!["succeeded"]!.GetValue<int>());
        Assert.Equal(2 * Seed.RecordingSeconds, payload["study"]!["recordingSecondsScored"]!.GetValue<double>());

        // A re-score opens the next run, which ends with its own single event.
        var rescore = await study.RescoreAsync(lab.BundleId, null);
        Assert.Equal(2, rescore.QueuedJobIds.Length);
        var secondRun = (await study.GetProgressAsync()).RunId!.Value;
        Assert.NotEqual(firstRun, secondRun);
        foreach (var job in rescore.QueuedJobIds)
        {
            await cluster.SucceedAsync(await cluster.ClaimAsync(job));
            await study.JobChangedAsync(job);
        }
        await cluster.DeactivateAsync(study);
        Assert.NotNull((await study.GetProgressAsync()).CompletedAt);
        Assert.Equal(1L, await CompletedDeliveriesAsync(cluster, firstRun));
        Assert.Equal(1L, await CompletedDeliveriesAsync(cluster, secondRun));
        Assert.Equal(2L, await cluster.CountAsync("SELECT count(*) FROM webhook_deliveries WHERE tenant_id = $1 AND event_type = 'study.completed'", lab.TenantId));
        Assert.Equal(2L, await cluster.CountAsync("SELECT count(*) FROM study_runs WHERE study_id = $1 AND completed_at IS NOT NULL", studyId));
    }

    [Fact]
    public async Task A_runs_counters_follow_each_transition_and_cancel_answers_for_every_state()
    {
        await using var cluster = await GrainCluster.StartAsync(coordination: o => o.MaxAttempts = 1);
        var lab = await GrainLab.CreateAsync(cluster, await cluster.Seed.BundleAsync());
        await cluster.Seed.WebhookAsync(lab.TenantId);
        var studyId = await lab.StudyAsync();
        var otherStudy = await lab.StudyAsync();
        var study = cluster.Study(studyId);
        var jobs = await lab.UploadManyAsync(studyId, 4);
        var foreign = (await lab.UploadManyAsync(otherStudy, 1))[0];

        await AssertCountersAsync(study, queued: 4, running: 0, succeeded: 0, failed: 0, cancelled: 0);
        Assert.Equal(4 * Seed.RecordingSeconds, (await study.GetProgressAsync()).RecordingSecondsTotal);

        var succeeding = await cluster.ClaimAsync(jobs[0]);
        await AssertCountersAsync(study, queued: 3, running: 1, succeeded: 0, failed: 0, cancelled: 0);
        await cluster.SucceedAsync(succeeding);
        await AssertCountersAsync(study, queued: 3, running: 0, succeeded: 1, failed: 0, cancelled: 0);
        Assert.Equal(Seed.RecordingSeconds, (await study.GetProgressAsync()).RecordingSecondsDone);

        var failing = await cluster.ClaimAsync(jobs[1]);
        var failed = await cluster.FailAttemptAsync(failing, "decoder exploded");
        Assert.Equal("failed", failed!.State);
        await AssertCountersAsync(study, queued: 2, running: 0, succeeded: 1, failed: 1, cancelled: 0);

        Assert.Equal(CancelOutcome.Cancelled, await study.CancelJobAsync(jobs[2]));
        await AssertCountersAsync(study, queued: 1, running: 0, succeeded: 1, failed: 1, cancelled: 1);
        Assert.Equal(CancelOutcome.AlreadyCancelled, await study.CancelJobAsync(jobs[2]));
        Assert.Equal(CancelOutcome.AlreadySucceeded, await study.CancelJobAsync(jobs[0]));
        Assert.Equal(CancelOutcome.AlreadyFailed, await study.CancelJobAsync(jobs[1]));
        Assert.Equal(CancelOutcome.NotFound, await study.CancelJobAsync(Guid.NewGuid()));
        // Another study's job is not this grain's to cancel.
        Assert.Equal(CancelOutcome.NotFound, await study.CancelJobAsync(foreign));
        Assert.Equal("queued", await cluster.ScalarAsync<string>("SELECT state FROM scoring_jobs WHERE id = $1", foreign));

        // A running job cancelled: its scoring silo's lease is gone, so its results could not be committed.
        var running = await cluster.ClaimAsync(jobs[3]);
        Assert.Equal(CancelOutcome.Cancelled, await study.CancelJobAsync(jobs[3]));
        Assert.False(await cluster.Jobs.HeartbeatAsync(running, 0.5f, TimeSpan.FromMinutes(1), CancellationToken.None));

        var done = await AssertCountersAsync(study, queued: 0, running: 0, succeeded: 1, failed: 1, cancelled: 2);
        Assert.NotNull(done.CompletedAt);
        Assert.Equal(0, done.EtaSeconds);
        var payload = JsonNode.Parse(await cluster.ScalarAsync<string>(
            "SELECT payload FROM webhook_deliveries WHERE run_id = $1 AND event_type = 'study.completed'", done.RunId!.Value))!["study"]!["jobs"]!;
        Assert.Equal((4, 1, 1, 2), (payload["total"]!.GetValue<int>(), payload["succeeded"]!.GetValue<int>(),
            payload["failed"]!.GetValue<int>(), payload["cancelled"]!.GetValue<int>()));
    }

    private static async Task<StudyProgress> AssertCountersAsync(IStudyGrain study, int queued, int running, int succeeded, int failed, int cancelled)
    {
        var progress = await study.GetProgressAsync();
        Assert.Equal((queued, running, succeeded, failed, cancelled), (progress.Queued, progress.Running, progress.Succeeded, progress.Failed, progress.Cancelled));
        return progress;
    }

    private static Task<long> CompletedDeliveriesAsync(GrainCluster cluster, Guid runId) =>
        cluster.CountAsync("SELECT count(*) FROM webhook_deliveries WHERE run_id = $1 AND event_type = 'study.completed'", runId);
}
