using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace EmiPlatform.Testing.Media;

/// <summary>
/// A listener on loopback that records every TCP connection and UDP datagram to one random port, and every connection to
/// a unix socket: where the referring inputs point. Anything it records is a request that decoding an upload made.
/// </summary>
public sealed class Canary : IAsyncDisposable
{
    private readonly TcpListener _tcp;
    private readonly UdpClient _udp;
    private readonly Socket _unix;
    private readonly ConcurrentQueue<string> _hits = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task[] _loops;

    private Canary(TcpListener tcp, UdpClient udp, Socket unix, string unixPath)
    {
        _tcp = tcp;
        _udp = udp;
        _unix = unix;
        UnixPath = unixPath;
        Port = ((IPEndPoint)tcp.LocalEndpoint).Port;
        _loops = [AcceptTcpAsync(), ReceiveUdpAsync(), AcceptUnixAsync()];
    }

    public int Port { get; }

    public string UnixPath { get; }

    public string Host => "127.0.0.1";

    public IReadOnlyList<string> Hits => [.. _hits];

    public static Canary Start()
    {
        var unixPath = Path.Combine(Path.GetTempPath(), $"emi-canary-{Guid.NewGuid():N}.sock");
        for (var attempt = 0; ; attempt++)
        {
            var tcp = new TcpListener(IPAddress.Loopback, 0);
            tcp.Start();
            try
            {
                // The same port number on UDP, so a URL names both.
                var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, ((IPEndPoint)tcp.LocalEndpoint).Port));
                var unix = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                unix.Bind(new UnixDomainSocketEndPoint(unixPath));
                unix.Listen();
                return new Canary(tcp, udp, unix, unixPath);
            }
            catch (SocketException) when (attempt < 20)
            {
                tcp.Stop();
            }
        }
    }

    /// <summary>Waits until something reached the canary; false if nothing did within <paramref name="timeout"/>.</summary>
    public async Task<bool> WaitForHitAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (_hits.IsEmpty && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }
        return !_hits.IsEmpty;
    }

    public void Clear() => _hits.Clear();

    /// <summary>
    /// Every hit that reached the canary before this call, once all of them are recorded: a connection on each socket and
    /// a datagram of its own queue behind whatever arrived earlier (the kernel hands them out in order), so once those
    /// are recorded, so is everything before them. They are not in the answer.
    /// </summary>
    public async Task<IReadOnlyList<string>> SettledHitsAsync(TimeSpan timeout)
    {
        using var tcp = new TcpClient(AddressFamily.InterNetwork);
        await tcp.ConnectAsync(IPAddress.Loopback, Port);
        using var unix = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await unix.ConnectAsync(new UnixDomainSocketEndPoint(UnixPath));
        using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        await udp.SendAsync(new byte[1], new IPEndPoint(IPAddress.Loopback, Port));
        string[] own = [TcpHit(tcp.Client.LocalEndPoint), UdpHit(1, udp.Client.LocalEndPoint), UnixHit];

        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            // The canary closes a connection right after recording it.
            await tcp.Client.ReceiveAsync(new byte[1], SocketFlags.None, cancel.Token);
            await unix.ReceiveAsync(new byte[1], SocketFlags.None, cancel.Token);
            while (!_hits.Contains(own[1]))
            {
                await Task.Delay(20, cancel.Token);
            }
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            throw new TimeoutException($"the canary did not record its own connections within {timeout.TotalSeconds} s: {string.Join("; ", Hits)}");
        }
        // A unix connection carries no address: one of them is this call's, whichever.
        var others = Hits.ToList();
        foreach (var hit in own)
        {
            if (!others.Remove(hit))
            {
                throw new InvalidOperationException($"the canary recorded its own connection under another name than \"{hit}\": {string.Join("; ", others)}");
            }
        }
        return others;
    }

    private const string UnixHit = "unix socket connection";

    private static string TcpHit(EndPoint? from) => $"tcp connection from {from}";

    private static string UdpHit(int bytes, EndPoint? from) => $"udp datagram of {bytes} bytes from {from}";

    private async Task AcceptTcpAsync()
    {
        try
        {
            while (true)
            {
                using var client = await _tcp.AcceptTcpClientAsync(_stop.Token);
                _hits.Enqueue(TcpHit(client.Client.RemoteEndPoint));
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    private async Task ReceiveUdpAsync()
    {
        try
        {
            while (true)
            {
                var datagram = await _udp.ReceiveAsync(_stop.Token);
                _hits.Enqueue(UdpHit(datagram.Buffer.Length, datagram.RemoteEndPoint));
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    private async Task AcceptUnixAsync()
    {
        try
        {
            while (true)
            {
                using var client = await _unix.AcceptAsync(_stop.Token);
                _hits.Enqueue(UnixHit);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _tcp.Stop();
        _udp.Dispose();
        _unix.Dispose();
        await Task.WhenAll(_loops);
        File.Delete(UnixPath);
        _stop.Dispose();
    }
}
