using System.Net;
using System.Net.Sockets;

namespace PluginHost.Core.Configuration;

/// <summary>Checks admin.allow entries: a single IP address ("::1", "10.0.0.5") or a CIDR network ("127.0.0.0/8").</summary>
internal static class NetworkRule
{
    public static bool IsValid(string entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var slash = entry.IndexOf('/', StringComparison.Ordinal);
        var address = slash < 0 ? entry : entry[..slash];
        if (!IsWrittenOut(address))
        {
            return false;
        }

        return slash < 0 ? IPAddress.TryParse(entry, out _) : IPNetwork.TryParse(entry, out _);
    }

    /// <summary>IPAddress.TryParse accepts shorthands like "10" or "127.1"; an allow list should not.</summary>
    private static bool IsWrittenOut(string address) =>
        IPAddress.TryParse(address, out var parsed)
        && (parsed.AddressFamily == AddressFamily.InterNetworkV6 || parsed.ToString() == address);
}
