using System.Net;
using Microsoft.AspNetCore.Http;

namespace PluginHost.Core.Admin;

/// <summary>
/// The address of the connection's other end, kept for requests that carry forwarding headers before ASP.NET Core's
/// forwarded-headers middleware replaces <see cref="ConnectionInfo.RemoteIpAddress"/> with the forwarded client: the admin
/// surface must know whether the headers came from a declared proxy. Only in the pipeline when proxies are declared
/// (otherwise nothing replaces the address), and it allocates only for requests that carry such headers.
/// </summary>
public sealed class DirectPeer(IPAddress? address)
{
    /// <summary>Headers a reverse proxy adds; ASP.NET Core applies the X-Forwarded ones from declared proxies only.</summary>
    internal static readonly string[] ForwardingHeaders = ["X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host", "Forwarded"];

    public IPAddress? Address { get; } = address;

    /// <summary>Middleware: runs before the forwarded-headers middleware.</summary>
    public static Task CaptureAsync(HttpContext context, RequestDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (Array.Exists(ForwardingHeaders, context.Request.Headers.ContainsKey))
        {
            context.Features.Set(new DirectPeer(context.Connection.RemoteIpAddress));
        }

        return next(context);
    }

    /// <summary>The connection's peer: as captured before the forwarded-headers middleware ran, else the connection's address.</summary>
    public static IPAddress? Of(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var address = context.Features.Get<DirectPeer>() is { } captured ? captured.Address : context.Connection.RemoteIpAddress;
        return address is { IsIPv4MappedToIPv6: true } ? address.MapToIPv4() : address;
    }
}
