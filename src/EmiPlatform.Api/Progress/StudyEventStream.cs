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
/// client gets a new snapshot instead of a gap.
/// </summary>
public sealed class StudyEventStream(IGrainFactory grains, ILogger<StudyEventStream> logger)
{
    // The grain forgets observers it has not heard from in two minutes; a heartbeat keeps proxies from closing idle streams.
    private static readonly TimeSpan Resubscribe = TimeSpan.FromSeconds(45);
    private static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(15);

    public async IAsyncEnumerable<SseItem<StudyEventDto>> StreamAsync(Guid studyId, long? lastEventId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var grain = grains.GetGrain<IStudyGrain>(studyId);
        var inbox = new Inbox();
        var reference = grains.CreateObjectReference<IStudyObserver>(inbox);
        try
        {
            await grain.SubscribeAsync(reference);
            var subscribed = DateTime.UtcNow;
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
                yield return new SseItem<StudyEventDto>(new StudyEventDto("snapshot", StudyProgressDto.From(snapshot.Progress), null,
                    [.. snapshot.Jobs.Select(StudyJobEventDto.From)]), "snapshot") { EventId = Id(sent) };
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
                    if (next.Id > sent)
                    {
                        sent = next.Id;
                        yield return Item(next);
                    }
                }
                else
                {
                    yield return new SseItem<StudyEventDto>(new StudyEventDto("heartbeat", StudyProgressDto.From(await grain.GetProgressAsync()), null, null), "heartbeat");
                }
                if (DateTime.UtcNow - subscribed > Resubscribe)
                {
                    await grain.SubscribeAsync(reference);
                    subscribed = DateTime.UtcNow;
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
