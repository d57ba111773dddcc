using EmiPlatform.Abstractions.Jobs;
using EmiPlatform.Abstractions.Studies;
using EmiPlatform.Grains.Tests.Infrastructure;

namespace EmiPlatform.Grains.Tests;

/// <summary>Live events from the study grain: pushed to observers in order, replayable, and honest about gaps.</summary>
public sealed class StudyObserverTests
{
    [Fact]
    public async Task An_observer_sees_every_transition_in_increasing_id_order_and_the_log_replays_them()
    {
        await using var cluster = await GrainCluster.StartAsync();
        var lab = await Lab.CreateAsync(cluster, await cluster.Seed.BundleAsync());
        var studyId = await lab.StudyAsync();
        var study = cluster.Study(studyId);
        var recorder = new EventRecorder();
        var observer = cluster.Client.CreateObjectReference<IStudyObserver>(recorder);
        await study.SubscribeAsync(observer);

        var jobs = await lab.UploadManyAsync(studyId, 2);
        foreach (var job in jobs)
        {
            var claimed = await cluster.ClaimAsync(job);
            await study.JobProgressAsync(job, 0.5f);
            await cluster.SucceedAsync(claimed);
        }
        await GrainCluster.EventuallyAsync(() => Task.FromResult(recorder.Events.Any(e => e.Kind == StudyEventKind.Completed)), "the completed event");

        var events = recorder.Events;
        Assert.True(events.Zip(events.Skip(1)).All(p => p.Second.Id > p.First.Id), string.Join(", ", events.Select(e => e.Id)));
        foreach (var job in jobs)
        {
            var seen = events.Where(e => e.Job?.JobId == job).Select(e => e.Kind == StudyEventKind.Progress ? "progress" : e.Job!.State.Name());
            Assert.Equal(["queued", "running", "progress", "succeeded"], seen);
        }
        Assert.Single(events, e => e.Kind == StudyEventKind.Completed);
        Assert.Equal(StudyEventKind.Completed, events[^1].Kind);
        Assert.Equal(2, events[^1].Progress.Succeeded);
        Assert.NotNull(events[^1].Progress.CompletedAt);

        // A reconnecting reader asks for what followed the last id it saw.
        Assert.Equal(events, await study.GetEventsAfterAsync(events[0].Id - 1));
        Assert.Equal(events.Skip(3), await study.GetEventsAfterAsync(events[2].Id));
        Assert.Empty((await study.GetEventsAfterAsync(events[^1].Id))!);
        var snapshot = await study.GetSnapshotAsync();
        Assert.Equal(events[^1].Id, snapshot.LastEventId);

        // An id this log never had (older than it): null, the reader starts again from a snapshot.
        Assert.Null(await study.GetEventsAfterAsync(0));
        await cluster.DeactivateAsync(study);
        Assert.Null(await study.GetEventsAfterAsync(events[^1].Id));
        var fresh = await study.GetSnapshotAsync();
        Assert.True(fresh.LastEventId > events[^1].Id);
        Assert.Equal(jobs, fresh.Jobs.Select(j => j.JobId));
        Assert.All(fresh.Jobs, j => Assert.Equal(JobState.Succeeded, j.State));
        Assert.Equal(2, fresh.Progress.Succeeded);
    }
}
