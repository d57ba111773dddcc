using System.Globalization;
using System.Net;
using EmiPlatform.Cli.Http;

namespace EmiPlatform.Cli.Watch;

/// <summary>
/// Follows <c>GET /v1/studies/{id}/events</c> across dropped connections: after a drop it waits a little (1 s,
/// doubling up to 10 s) and reconnects with <c>Last-Event-ID</c>, so the server replays what was missed or sends a
/// fresh snapshot. A silent stream counts as dropped (the server sends a heartbeat every 15 s), and so does a 429 (the
/// key's open streams are capped). Failing to connect at all is otherwise an error straight away; after a drop it gives
/// up once it has failed to get an event for two minutes.
/// </summary>
internal sealed class StudyEventFollower(EmiClient client, Guid studyId)
{
    private static readonly TimeSpan Silence = TimeSpan.FromSeconds(45);
    private static readonly TimeSpan GiveUpAfter = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(10);

    /// <summary>Feeds events to <paramref name="handle"/> until it returns true.</summary>
    /// <param name="reconnecting">Told why the stream dropped and when the next attempt is.</param>
    public async Task FollowAsync(Func<WatchEvent, bool> handle, Action<string> reconnecting, CancellationToken ct)
    {
        string? lastId = null;
        var everConnected = false;
        DateTime? lostAt = null;
        var backoff = TimeSpan.FromSeconds(1);
        while (true)
        {
            string reason;
            try
            {
                using var quiet = CancellationTokenSource.CreateLinkedTokenSource(ct);
                quiet.CancelAfter(Silence);
                await foreach (var item in client.EventsAsync($"v1/studies/{studyId}/events", lastId, quiet.Token).ConfigureAwait(false))
                {
                    quiet.CancelAfter(Silence);
                    everConnected = true;
                    lostAt = null;
                    backoff = TimeSpan.FromSeconds(1);
                    if (item.EventId is { Length: > 0 } id)
                    {
                        lastId = id;
                    }
                    if (handle(new WatchEvent(item.EventId, item.EventType, item.Data)))
                    {
                        return;
                    }
                }
                reason = "the server closed the stream";
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                reason = $"nothing heard for {Silence.TotalSeconds:0} s";
            }
            // The server caps a key's open streams (429 too-many-streams): one it has not yet seen closed, or another
            // command of the same key, frees its slot within seconds, so that is waited out like a drop.
            catch (Exception e) when (e is ApiException { Status: HttpStatusCode.TooManyRequests }
                || (everConnected && e is HttpRequestException or IOException or ApiException { Status: >= HttpStatusCode.InternalServerError }))
            {
                reason = e.Message;
            }

            lostAt ??= DateTime.UtcNow;
            if (DateTime.UtcNow - lostAt > GiveUpAfter)
            {
                throw new HttpRequestException($"lost the event stream and could not get it back for {GiveUpAfter.TotalMinutes:0} min ({reason})");
            }
            reconnecting($"connection lost ({reason}); reconnecting in {backoff.TotalSeconds.ToString("0", CultureInfo.InvariantCulture)} s"
                + (lastId is null ? "" : $", resuming after event {lastId}"));
            await Task.Delay(backoff, ct).ConfigureAwait(false);
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
        }
    }
}
