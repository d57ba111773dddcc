using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using EmiPlatform.Abstractions.Studies;
using EmiPlatform.Api.Dtos;

namespace EmiPlatform.Api.Progress;

/// <summary>
/// A study grain's live events as an SSE stream for one client. Subscribes first, then sends either the events after
/// the client's <c>Last-Event-ID</c> (if the grain still holds them) or a fresh snapshot, then every new event, never
/// one twice. Best effort on top of the database: after a silo failover the grain's events start over, and the
/// client gets a new snapshot (within one heartbeat) instead of a gap.
/// </summary>
public sealed class StudyEventStream(IGrainFactory grains, ILogger<StudyEventStream> logger)
{
    // After 15 s without an event the stream resubscribes (the grain forgets observers after two minutes, or loses them
    // with its silo), catches up, and sends a heartbeat, which also keeps proxies from closing an idle stream.
    private static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(15);

    public async IAsyncEnumerable<SseItem<StudyEventDto>> StreamAsync(Guid studyId, long? lastEventId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var grain = grains.GetGrain<IStudyGrain>(studyId);
        var inbox = new Inbox();
        var reference = grains.CreateObjectReference<IStudyObserver>(inbox);
        try
        {
            await grain.SubscribeAsync(reference);
            long sent;
            if (lastEventId is { } last && await grain.GetEventsAfterAsync(last) is { } missed)
            {
                sent = last;
                foreach (var e in missed)
                {
                    sent = e.Id;
                    yield return Item(e);
                }
            }
            else
            {
                var snapshot = await grain.GetSnapshotAsync();
                sent = snapshot.LastEventId;
                yield return Snapshot(snapshot);
            }

            while (!cancellationToken.IsCancellationRequested)
            {
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                wait.CancelAfter(Heartbeat);
                StudyEvent? next = null;
                try
                {
                    next = await inbox.Events.Reader.ReadAsync(wait.Token);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    // quiet for a while: fall through to the heartbeat
                }
                if (next is not null)
                {
                    if (next.Id == sent + 1)
                    {
                        sent = next.Id;
                        yield return Item(next);
                    }
                    else if (next.Id > sent)
                    {
                        // Observer notifications are one-way and may overtake each other: fill the gap, in order, from
                        // the grain's log (the overtaken ones arrive later and are dropped as already sent).
                        if (await grain.GetEventsAfterAsync(sent) is { } gap)
                        {
                            foreach (var e in gap)
                            {
                                sent = e.Id;
                                yield return Item(e);
                            }
                        }
                        else
                        {
                            var snapshot = await grain.GetSnapshotAsync();
                            sent = snapshot.LastEventId;
                            yield return Snapshot(snapshot);
                        }
                    }
                }
                else
                {
                    // Quiet: catch up with the grain. Events a notification lost are sent now; if the grain's log no
                    // longer reaches back (it started again on another silo), a fresh snapshot replaces them.
                    await grain.SubscribeAsync(reference);
                    if (await grain.GetEventsAfterAsync(sent) is { } lost)
                    {
                        foreach (var e in lost)
                        {
                            sent = e.Id;
                            yield return Item(e);
                        }
                        yield return new SseItem<StudyEventDto>(new StudyEventDto("heartbeat", StudyProgressDto.From(await grain.GetProgressAsync()), null, null), "heartbeat");
                    }
                    else
                    {
                        var snapshot = await grain.GetSnapshotAsync();
                        sent = snapshot.LastEventId;
                        yield return Snapshot(snapshot);
                    }
                }
            }
        }
        finally
        {
            try
            {
                await grain.UnsubscribeAsync(reference);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                logger.LogDebug(ex, "Could not unsubscribe from study {StudyId}; the grain forgets the observer by itself", studyId);
            }
            grains.DeleteObjectReference<IStudyObserver>(reference);
        }
    }

    private static SseItem<StudyEventDto> Snapshot(StudySnapshot snapshot) =>
        new(new StudyEventDto("snapshot", StudyProgressDto.From(snapshot.Progress), null, [.. snapshot.Jobs.Select(StudyJobEventDto.From)]), "snapshot")
        {
            EventId = Id(snapshot.LastEventId),
        };

    private static SseItem<StudyEventDto> Item(StudyEvent e)
    {
        var type = e.Kind switch
        {
            StudyEventKind.Job => "job",
            StudyEventKind.Progress => "progress",
            _ => "completed",
        };
        return new SseItem<StudyEventDto>(new StudyEventDto(type, StudyProgressDto.From(e.Progress), e.Job is null ? null : StudyJobEventDto.From(e.Job), null), type)
        {
            EventId = Id(e.Id),
        };
    }

    private static string Id(long id) => id.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private sealed class Inbox : IStudyObserver
    {
        public Channel<StudyEvent> Events { get; } = Channel.CreateBounded<StudyEvent>(new BoundedChannelOptions(10_000)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
        });

        public Task OnEventAsync(StudyEvent studyEvent)
        {
            Events.Writer.TryWrite(studyEvent);
            return Task.CompletedTask;
        }
    }
}
