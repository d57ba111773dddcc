using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace EmiPlatform.Api.Tests.Infrastructure;

/// <summary>
/// A real HTTP server on 127.0.0.1 (Kestrel) that records every job event's webhook request and answers with the
/// status <c>answer(n)</c> gives the n-th (1-based). Study events (study.completed) are answered 204 and kept apart in
/// <see cref="StudyRequests"/>, so tests of job deliveries count only those.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    public sealed record Received(DateTimeOffset At, IReadOnlyDictionary<string, string> Headers, byte[] Body);

    private readonly ConcurrentQueue<Received> received = new();
    private readonly ConcurrentQueue<Received> studyEvents = new();
    private WebApplication app = null!;
    private int count;

    private WebhookReceiver() { }

    public IReadOnlyList<Received> Requests => [.. received];

    public IReadOnlyList<Received> StudyRequests => [.. studyEvents];

    public Uri Url { get; private set; } = null!;

    public static async Task<WebhookReceiver> StartAsync(Func<int, int> answer)
    {
        var receiver = new WebhookReceiver();
        (receiver.app, var address) = await LoopbackServer.StartAsync(app => app.MapPost("/hook", async (HttpContext context) =>
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer);
            var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
            var request = new Received(DateTimeOffset.UtcNow, headers, buffer.ToArray());
            if (System.Text.Json.JsonDocument.Parse(request.Body).RootElement.GetProperty("type").GetString()!.StartsWith("study.", StringComparison.Ordinal))
            {
                receiver.studyEvents.Enqueue(request);
                context.Response.StatusCode = 204;
                return;
            }
            receiver.received.Enqueue(request);
            context.Response.StatusCode = answer(Interlocked.Increment(ref receiver.count));
        }));
        receiver.Url = new Uri(address, "/hook");
        return receiver;
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();
}
