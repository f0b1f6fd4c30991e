using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using PluginHost.Core.Configuration;

namespace PluginHost.Core.Admin;

/// <summary>Who may use the admin surface: client address in <c>admin.allow</c>, and the bearer token when one is set.</summary>
public sealed class AdminAccess
{
    private readonly IPNetwork[] _allowed;
    private readonly byte[]? _token;

    public AdminAccess(AdminConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        _allowed = config.Allow.Select(ParseNetwork).ToArray();
        _token = string.IsNullOrEmpty(config.Token) ? null : Encoding.UTF8.GetBytes(config.Token);
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

    internal static IPNetwork ParseNetwork(string value) =>
        value.Contains('/') ? IPNetwork.Parse(value) : new IPNetwork(IPAddress.Parse(value), IPAddress.Parse(value).GetAddressBytes().Length * 8);
}
