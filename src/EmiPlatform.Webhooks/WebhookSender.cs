using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Options;

namespace EmiPlatform.Webhooks;

/// <summary>
/// Sends one signed attempt. Its connections are opened by <see cref="ConnectAsync"/>, which resolves the host, checks
/// every address against the private-network rule and connects only to those checked addresses; redirects are not
/// followed (a 3xx could point anywhere) and no proxy is used.
/// </summary>
public sealed class WebhookSender : IDisposable
{
    private readonly HttpClient http;
    private readonly IOptions<WebhookOptions> options;
    private readonly TimeProvider clock;

    public WebhookSender(IOptions<WebhookOptions> options, TimeProvider clock)
    {
        this.options = options;
        this.clock = clock;
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseProxy = false,
            UseCookies = false,
            ConnectCallback = ConnectAsync,
            // DNS answers change; pooled connections must not outlive them by much.
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
        };
        http = new HttpClient(handler) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
        http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("EmiPlatform-Webhooks", "1"));
    }

    public async Task<DeliveryAttempt> SendAsync(ClaimedDelivery delivery, CancellationToken stopping)
    {
        var body = Encoding.UTF8.GetBytes(delivery.Payload);
        var now = clock.GetUtcNow();
        var timestamp = now.ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, delivery.Url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.Add(WebhookSignature.IdHeader, delivery.EventId.ToString());
        request.Headers.Add(WebhookSignature.TimestampHeader, timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add(WebhookSignature.SignatureHeader, WebhookSignature.Header(delivery, timestamp, body, now));
        request.Headers.Add(WebhookSignature.AttemptHeader, delivery.Attempt.ToString(System.Globalization.CultureInfo.InvariantCulture));

        var timeout = options.Value.Timeout;
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        limit.CancelAfter(timeout);
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, limit.Token);
            var status = (int)response.StatusCode;
            return response.IsSuccessStatusCode
                ? new DeliveryAttempt(true, status, null)
                : new DeliveryAttempt(false, status, $"receiver answered {status} {response.ReasonPhrase}".TrimEnd());
        }
        catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
        {
            return new DeliveryAttempt(false, null, $"no response within {timeout.TotalSeconds:0.###} s");
        }
        catch (HttpRequestException ex)
        {
            return new DeliveryAttempt(false, null, Describe(ex));
        }
    }

    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var addresses = await WebhookTargets.ResolveAsync(context.DnsEndPoint.Host, options.Value.AllowPrivateNetworks, cancellationToken);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, context.DnsEndPoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static string Describe(Exception ex)
    {
        // HttpClient wraps the interesting part (refused target, connection refused, reset) in inner exceptions.
        var parts = new List<string>();
        for (var e = ex; e is not null; e = e.InnerException)
        {
            if (parts.Count == 0 || !parts[^1].Contains(e.Message, StringComparison.Ordinal))
            {
                parts.Add(e.Message);
            }
        }
        var text = string.Join(": ", parts);
        return text.Length <= 1000 ? text : text[..1000];
    }

    public void Dispose() => http.Dispose();
}
