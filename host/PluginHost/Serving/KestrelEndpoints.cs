using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using PluginHost.Core.Certificates;
using PluginHost.Core.Configuration;

namespace PluginHost.Serving;

/// <summary>
/// The listen URLs as Kestrel endpoints. Each URL becomes the endpoint Kestrel itself makes of it (an IP address,
/// <c>localhost</c> on both loopbacks, anything else on every address), so that an https endpoint can take the host's
/// TLS handshake callback: the certificate for the name the client asks for (SNI), from <see cref="ServerCertificates"/>,
/// TLS 1.2 and 1.3 only, HTTP/1.1 and HTTP/2 by ALPN, and HTTP/3 too when <c>server.http3</c> is on.
/// (Kestrel's own https URLs take one certificate or a selector that rebuilds the certificate's chain on every handshake.)
/// </summary>
internal static class KestrelEndpoints
{
    public static void Listen(KestrelServerOptions options, IEnumerable<string> urls, ServerCertificates certificates, ServerConfig server)
    {
        foreach (var url in urls)
        {
            var https = ListenUrl.IsHttps(url);
            var (host, port) = HostAndPort(url);
            Action<ListenOptions> configure = listen => Configure(listen, https, certificates, server);
            if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase) || host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase))
            {
                options.ListenLocalhost(port, configure);
            }
            else if (IPAddress.TryParse(host, out var address))
            {
                options.Listen(address, port, configure);
            }
            else
            {
                // "*", "+", "0.0.0.0"-like wildcards and host names: every address, as Kestrel does for such URLs.
                options.ListenAnyIP(port, configure);
            }
        }
    }

    /// <summary>
    /// Socket activation: TLS on each socket systemd passed whose port is that of an https URL (the socket unit's
    /// ListenStream= must then equal that URL's address).
    /// </summary>
    public static void ConfigurePassedSocket(ListenOptions listen, IEnumerable<string> urls, ServerCertificates certificates, ServerConfig server)
    {
        ArgumentNullException.ThrowIfNull(listen);
        var httpsPorts = urls.Where(ListenUrl.IsHttps).Select(url => HostAndPort(url).Port).ToHashSet();
        var https = httpsPorts.Count > 0 && listen.EndPoint is FileHandleEndPoint handle && httpsPorts.Contains(LocalPort(handle));
        Configure(listen, https, certificates, server);
    }

    private static void Configure(ListenOptions listen, bool https, ServerCertificates certificates, ServerConfig server)
    {
        if (!https)
        {
            return;
        }

        listen.Protocols = server.Http3 ? HttpProtocols.Http1AndHttp2AndHttp3 : HttpProtocols.Http1AndHttp2;
        listen.UseHttps(new TlsHandshakeCallbackOptions
        {
            OnConnection = context => ValueTask.FromResult(certificates.OptionsFor(context.ClientHelloInfo.ServerName)),
        });
    }

    private static (string Host, int Port) HostAndPort(string url)
    {
        // The URLs were checked when config.yaml (or --urls) was read; Uri does not take Kestrel's "*" and "+" hosts.
        var wildcard = url.Contains("://*", StringComparison.Ordinal) || url.Contains("://+", StringComparison.Ordinal);
        var uri = new Uri(wildcard ? url.Replace("://*", "://wildcard", StringComparison.Ordinal).Replace("://+", "://wildcard", StringComparison.Ordinal) : url);
        return (wildcard ? "*" : uri.Host.Trim('[', ']'), uri.Port);
    }

    private static int LocalPort(FileHandleEndPoint handle)
    {
        using var socket = new Socket(new SafeSocketHandle((IntPtr)(long)handle.FileHandle, ownsHandle: false));
        return (socket.LocalEndPoint as IPEndPoint)?.Port ?? -1;
    }
}
