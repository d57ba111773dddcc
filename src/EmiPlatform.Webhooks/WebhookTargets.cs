using System.Net;
using System.Net.Sockets;

namespace EmiPlatform.Webhooks;

/// <summary>
/// Which addresses a webhook may reach. Checked when a URL is registered and again for every connection the deliverer
/// opens (it connects to exactly the addresses it checked), so a DNS name that later resolves to an internal address
/// (DNS rebinding) is refused at delivery time too.
/// </summary>
public static class WebhookTargets
{
    /// <summary>The host's addresses (an IP literal is its own); throws <see cref="WebhookTargetException"/> when a non-public one is among them and those are not allowed.</summary>
    public static async Task<IPAddress[]> ResolveAsync(string host, bool allowPrivateNetworks, CancellationToken cancellationToken)
    {
        var trimmed = host.TrimStart('[').TrimEnd(']');
        IPAddress[] addresses;
        if (IPAddress.TryParse(trimmed, out var literal))
        {
            addresses = [literal];
        }
        else
        {
            try
            {
                addresses = await Dns.GetHostAddressesAsync(trimmed, cancellationToken);
            }
            catch (SocketException ex)
            {
                throw new WebhookTargetException($"host '{trimmed}' could not be resolved ({ex.SocketErrorCode})");
            }
        }
        if (addresses.Length == 0)
        {
            throw new WebhookTargetException($"host '{trimmed}' has no addresses");
        }
        if (!allowPrivateNetworks && addresses.FirstOrDefault(a => !IsPublic(a)) is { } blocked)
        {
            throw new WebhookTargetException($"host '{trimmed}' resolves to {blocked}, a loopback, private, link-local or reserved address");
        }
        return addresses;
    }

    /// <summary>False for loopback, private, shared (CGNAT), link-local, multicast, unspecified and reserved ranges.</summary>
    public static bool IsPublic(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return !(b[0] is 0 or 10 or 127 or >= 224                 // this network, private, loopback, multicast + reserved + broadcast
                || (b[0] == 100 && b[1] is >= 64 and < 128)            // shared address space (CGNAT)
                || (b[0] == 169 && b[1] == 254)                        // link-local (cloud metadata endpoints live here)
                || (b[0] == 172 && b[1] is >= 16 and < 32)
                || (b[0] == 192 && b[1] == 168)
                || (b[0] == 192 && b[1] == 0 && b[2] is 0 or 2)        // IETF protocol assignments, TEST-NET-1
                || (b[0] == 198 && b[1] is 18 or 19)                   // benchmarking
                || (b[0] == 198 && b[1] == 51 && b[2] == 100)
                || (b[0] == 203 && b[1] == 0 && b[2] == 113));
        }
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            if (address.Equals(IPAddress.IPv6Any) || address.Equals(IPAddress.IPv6Loopback)
                || address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast || address.IsIPv6UniqueLocal)
            {
                return false;
            }
            var b = address.GetAddressBytes();
            // NAT64 (64:ff9b::/96) and 6to4 (2002::/16) embed an IPv4 address: judge that one.
            if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b)
            {
                return IsPublic(new IPAddress(b[12..16]));
            }
            if (b[0] == 0x20 && b[1] == 0x02)
            {
                return IsPublic(new IPAddress(b[2..6]));
            }
            return !(b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8); // documentation
        }
        return false;
    }
}
