using System.Net;
using Orleans;
using Orleans.Runtime;

namespace EmiPlatform.Orleans.Tests;

/// <summary>Membership entries as a silo writes them: loopback address, a port, a generation, UTC times.</summary>
public static class Silos
{
    private static int generation = Environment.TickCount & 0xFFFF;

    /// <summary>Now in UTC, cut to whole seconds: PostgreSQL keeps microseconds and Orleans prints suspicion times to milliseconds.</summary>
    public static DateTime Now()
    {
        var now = DateTime.UtcNow;
        return new DateTime(now.Ticks - (now.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Utc);
    }

    public static SiloAddress Address(int port) =>
        SiloAddress.New(new IPEndPoint(IPAddress.Loopback, port), Interlocked.Increment(ref generation));

    public static MembershipEntry Entry(int port, SiloStatus status, DateTime? at = null, int? gatewayPort = null)
    {
        var time = at ?? Now();
        return new MembershipEntry
        {
            SiloAddress = Address(port),
            SiloName = $"silo-{port}",
            HostName = "test-host",
            Status = status,
            ProxyPort = gatewayPort ?? port + 1000,
            StartTime = time,
            IAmAliveTime = time,
        };
    }
}
