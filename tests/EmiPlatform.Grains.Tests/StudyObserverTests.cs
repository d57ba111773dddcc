using EmiPlatform.Abstractions.Jobs;
using EmiPlatform.Abstractions.Studies;
using EmiPlatform.Grains.Tests.Infrastructure;

namespace EmiPlatform.Grains.Tests;

/// <summary>Live events from the study grain: pushed to observers, replayable in order, and honest about gaps.</summary>
public sealed class StudyObserverTests
{
    [Fact]
    public async Task An_observer_receives_every_event_once_and_the_log_replays_them_in_id_order()
    {
        await using var cluster = await GrainCluster.StartAsync();
        var lab = await GrainLab.CreateAsync(cluster, await cluster.Seed.BundleAsync());
        var studyId = await lab.StudyAsync();
        var study = cluster.Study(studyId);
        var recorder = new EventRecorder();
        var observer = cluster.Client.CreateObjectReference<IStudyObserver>(recorder);
        await study.SubscribeAsync(observer);

        var jobs = await lab.UploadManyAsync(studyId, 2);
        foreach (var job in jobs)
        {
            var claimed = await cluster.ClaimAsync(job);
            // One-way calls are not ordered: report the success once the progress was announced, or the grain may see
            // the success first (and rightly drop the late progress of a finished job).
            await study.JobProgressAsync(job, 0.5f);
            await Eventually.WaitAsync(() => recorder.Events.Any(e => e.Kind == StudyEventKind.Progress && e.Job!.JobId == job),
                GrainCluster.Patience, "the progress event");
            await cluster.SucceedAsync(claimed);
        }
        await Eventually.WaitAsync(async () => recorder.Events is { Count: > 0 } got && got.Any(e => e.Kind == StudyEventKind.Completed)
            && (await study.GetEventsAfterAsync(got.Min(e => e.Id) - 1))?.Length == got.Count, GrainCluster.Patience, "every logged event at the observer");

        // Orleans does not keep one-way calls in order: the observer may be told event n+1 before event n (seen
        // here: a job's progress before its running transition). What it is owed is every event once; the order is
        // the ids', which the log's replay gives.
        var received = recorder.Events;
        var events = received.OrderBy(e => e.Id).ToList();
        Assert.Equal(events.Count, events.Select(e => e.Id).Distinct().Count());
        Assert.Equal(events, await study.GetEventsAfterAsync(events[0].Id - 1));
        Assert.Null(await study.GetEventsAfterAsync(events[0].Id - 2));
        Assert.True(events.Zip(events.Skip(1)).All(p => p.Second.Id == p.First.Id + 1), string.Join(", ", events.Select(e => e.Id)));
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
        Assert.Equal(events.Skip(3), await study.GetEventsAfterAsync(events[2].Id));
        Assert.Empty((await study.GetEventsAfterAsync(events[^1].Id))!);
        var snapshot = await study.GetSnapshotAsync();
        Assert.Equal(events[^1].Id, snapshot.LastEventId);

        // An id older than this log (an earlier activation's): null, the reader starts again from a snapshot.
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
