using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using PluginHost.Core.Configuration;

namespace PluginHost.Core.Admin;

/// <summary>
/// Who may use the admin surface: client address in <c>admin.allow</c>, and the bearer token when one is set. The client
/// address is the direct peer's, or the forwarded client's when the peer is a declared proxy
/// (<c>server.forwardedHeaders.knownProxies</c>: ASP.NET Core's forwarded-headers middleware has applied its headers).
/// </summary>
public sealed class AdminAccess
{
    private readonly IPNetwork[] _allowed;
    private readonly IPNetwork[] _proxies;
    private readonly byte[]? _token;

    public AdminAccess(AdminConfig config, ForwardedHeadersConfig? forwarded = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        _allowed = config.Allow.Select(ParseNetwork).ToArray();
        _proxies = (forwarded?.KnownProxies ?? []).Select(ParseNetwork).ToArray();
        _token = string.IsNullOrEmpty(config.Token) ? null : Encoding.UTF8.GetBytes(config.Token);
    }

    /// <summary>
    /// The forwarding header a request carries although its direct peer is not a declared proxy, or null. Such a request
    /// came through a proxy nobody declared: the allow-list would judge the proxy's address (often loopback) instead of
    /// the client's, so the admin surface refuses it.
    /// </summary>
    public string? UndeclaredForwarding(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var headers = context.Request.Headers;
        var header = Array.Find(DirectPeer.ForwardingHeaders, headers.ContainsKey);
        if (header is null)
        {
            return null;
        }

        var peer = DirectPeer.Of(context);
        return peer is not null && _proxies.Any(n => n.Contains(peer)) ? null : header;
    }

    /// <summary>Returns the status code refusing the request, or null when it is allowed.</summary>
    public int? Refusal(HttpContext context)
    {
        var remote = context.Connection.RemoteIpAddress;
        if (remote is null || !_allowed.Any(n => n.Contains(remote.IsIPv4MappedToIPv6 ? remote.MapToIPv4() : remote)))
        {
            return StatusCodes.Status403Forbidden;
        }

        return _token is null || HasToken(context) ? null : StatusCodes.Status401Unauthorized;
    }

    private bool HasToken(HttpContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        const string prefix = "Bearer ";
        if (!header.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(header[prefix.Length..].Trim()), _token);
    }

    public static IPNetwork ParseNetwork(string value) =>
        value.Contains('/') ? IPNetwork.Parse(value) : new IPNetwork(IPAddress.Parse(value), IPAddress.Parse(value).GetAddressBytes().Length * 8);
}
