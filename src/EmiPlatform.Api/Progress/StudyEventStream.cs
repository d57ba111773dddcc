using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using EmiPlatform.Abstractions.Studies;
using Microsoft.Extensions.Options;

namespace EmiPlatform.Api.Progress;

/// <summary>
/// A study grain's live events as an SSE stream for one client. Subscribes first, then sends either the events after
/// the client's <c>Last-Event-ID</c> (if the grain still holds them) or a fresh snapshot, then every new event, never
/// one twice. Best effort on top of the database: after a silo failover the grain's events start over, and the
/// client gets a new snapshot (within one heartbeat) instead of a gap.
/// </summary>
public sealed class StudyEventStream(IGrainFactory grains, IOptions<ProgressOptions> options, ILogger<StudyEventStream> logger)
{
    /// <summary>
    /// The stream ends (cleanly, after its last event) at the first heartbeat where <paramref name="stillAllowed"/>
    /// answers false: the key was revoked or its tenant suspended since the stream began.
    /// </summary>
    public async IAsyncEnumerable<SseItem<StudyEventDto>> StreamAsync(
        Guid studyId, long? lastEventId, Func<CancellationToken, Task<bool>> stillAllowed, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // The grain forgets observers after two minutes, or loses them with its silo: each heartbeat resubscribes.
        var heartbeat = options.Value.Heartbeat;
        var grain = grains.GetGrain<IStudyGrain>(studyId);
        var inbox = new Inbox();
        var reference = grains.CreateObjectReference<IStudyObserver>(inbox);
        try
        {
            await grain.SubscribeAsync(reference);
            var (items, sent) = await CatchUpAsync(grain, lastEventId);
            foreach (var item in items)
            {
                yield return item;
            }

            while (!cancellationToken.IsCancellationRequested)
            {
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                wait.CancelAfter(heartbeat);
                StudyEvent? next = null;
                try
                {
                    next = await inbox.Events.Reader.ReadAsync(wait.Token);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    // quiet for a while: fall through to the heartbeat
                }
                if (next is not null && next.Id == sent + 1)
                {
                    sent = next.Id;
                    yield return Item(next);
                    continue;
                }
                if (next is not null && next.Id <= sent)
                {
                    continue; // overtaken, and already sent from the grain's log
                }
                // Observer notifications are one-way and may overtake each other, or be lost with a silo: a gap, or a
                // quiet while, is filled in order from the grain's log (or by a fresh snapshot once it no longer
                // reaches back, as after a failover), and a quiet while also renews the subscription.
                if (next is null)
                {
                    if (!await stillAllowed(cancellationToken))
                    {
                        logger.LogInformation("Study {StudyId} event stream ended: its key was revoked or its tenant suspended", studyId);
                        yield break;
                    }
                    await grain.SubscribeAsync(reference);
                }
                (items, sent) = await CatchUpAsync(grain, sent);
                foreach (var item in items)
                {
                    yield return item;
                }
                if (next is null)
                {
                    yield return new SseItem<StudyEventDto>(new StudyEventDto("heartbeat", StudyProgressDto.From(await grain.GetProgressAsync()), null, null), "heartbeat");
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

    /// <summary>The events after <paramref name="after"/> from the grain's log, or a fresh snapshot when it no longer holds them.</summary>
    private static async Task<(List<SseItem<StudyEventDto>> Items, long Sent)> CatchUpAsync(IStudyGrain grain, long? after)
    {
        if (after is { } last && await grain.GetEventsAfterAsync(last) is { } events)
        {
            return ([.. events.Select(Item)], events.Length > 0 ? events[^1].Id : last);
        }
        var snapshot = await grain.GetSnapshotAsync();
        return ([Snapshot(snapshot)], snapshot.LastEventId);
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
