using System.Net;
using System.Net.Sockets;

namespace EmiPlatform.Harness;

/// <summary>Loopback ports nobody listens on right now, for hosts a test or benchmark starts side by side.</summary>
public static class FreePort
{
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
