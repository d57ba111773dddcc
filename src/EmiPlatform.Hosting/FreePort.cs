using System.Net;
using System.Net.Sockets;

namespace EmiPlatform.Hosting;

/// <summary>A loopback port nobody listens on right now, for a configured port of 0.</summary>
internal static class FreePort
{
    public static int Or(int configured)
    {
        if (configured != 0)
        {
            return configured;
        }
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
