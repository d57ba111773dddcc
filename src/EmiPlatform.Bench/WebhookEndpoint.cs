using System.Net;
using System.Net.Sockets;
using System.Text;

namespace EmiPlatform.Bench;

/// <summary>
/// A webhook receiver on loopback for the <c>neighbours</c> benchmark: a <b>tarpit</b> accepts every connection and
/// never reads or answers (each delivery holds its sender until <c>Webhooks:Timeout</c>), a <b>receiver</b> answers
/// every request 204 as soon as its body has arrived. The API host needs <c>Webhooks:AllowPrivateNetworks=true</c>.
/// </summary>
internal sealed class WebhookEndpoint : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<TcpClient> _held = [];
    private readonly bool _answer;
    private readonly Task _accepting;
    private int _connections;
    private int _answered;

    private WebhookEndpoint(bool answer)
    {
        _answer = answer;
        _listener.Start(1024);
        _accepting = Task.Run(AcceptAsync);
    }

    public static WebhookEndpoint Tarpit() => new(answer: false);

    public static WebhookEndpoint Receiver() => new(answer: true);

    public string Url => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/hook";

    /// <summary>Connections accepted so far.</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>Requests answered 204 (a receiver; a tarpit answers none).</summary>
    public int Answered => Volatile.Read(ref _answered);

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            Interlocked.Increment(ref _connections);
            if (_answer)
            {
                _ = Task.Run(() => AnswerAsync(client));
            }
            else
            {
                lock (_held)
                {
                    _held.Add(client);
                }
            }
        }
    }

    /// <summary>Reads one request (headers, then Content-Length bytes of body) and answers 204, closing the connection.</summary>
    private async Task AnswerAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                var buffer = new byte[64 * 1024];
                var received = new MemoryStream();
                int headerEnd;
                while ((headerEnd = IndexOfHeaderEnd(received)) < 0)
                {
                    var n = await stream.ReadAsync(buffer, _stop.Token);
                    if (n == 0)
                    {
                        return;
                    }
                    received.Write(buffer, 0, n);
                }
                var headers = Encoding.ASCII.GetString(received.GetBuffer(), 0, headerEnd);
                var length = headers.Split("\r\n").Select(l => l.Split(':', 2)).Where(p => p.Length == 2 && p[0].Trim().Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
                    .Select(p => int.Parse(p[1].Trim(), System.Globalization.CultureInfo.InvariantCulture)).FirstOrDefault();
                var body = received.Length - (headerEnd + 4);
                while (body < length)
                {
                    var n = await stream.ReadAsync(buffer, _stop.Token);
                    if (n == 0)
                    {
                        return;
                    }
                    body += n;
                }
                await stream.WriteAsync("HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n"u8.ToArray(), _stop.Token);
                Interlocked.Increment(ref _answered);
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or SocketException)
            {
                // The sender gave up or the benchmark is over.
            }
        }
    }

    private static int IndexOfHeaderEnd(MemoryStream received) =>
        received.GetBuffer().AsSpan(0, (int)received.Length).IndexOf("\r\n\r\n"u8);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        lock (_held)
        {
            _held.ForEach(c => c.Dispose());
        }
        _stop.Dispose();
    }
}
