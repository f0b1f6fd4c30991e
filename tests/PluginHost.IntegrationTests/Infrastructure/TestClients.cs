using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace PluginHost.IntegrationTests.Infrastructure;

/// <summary>What one TLS handshake with the host gave: the server's certificate, the TLS version and the ALPN protocol.</summary>
public sealed record Handshake(string Thumbprint, SslProtocols Protocol, string ApplicationProtocol);

/// <summary>
/// Clients of the host that the default HttpClient is not: from another loopback address (any address of 127.0.0.0/8
/// is this machine's), speaking exactly HTTP/1.1 or HTTP/2, and, over https, trusting whatever certificate the host
/// presents (the tests' certificates are self-signed and made at test time) while recording each one.
/// </summary>
public static class TestClients
{
    /// <summary>
    /// An HttpClient over one connection at a time, speaking exactly <paramref name="version"/> (default 1.1), whose
    /// connections come from <paramref name="source"/> when given; each certificate a handshake presented is added to
    /// <paramref name="presented"/>.
    /// </summary>
    public static HttpClient Create(Uri address, Version? version = null, List<string>? presented = null, IPAddress? source = null) =>
        new(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = 1,
            ConnectCallback = source is null ? null : async (context, cancellationToken) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
                socket.Bind(new IPEndPoint(source, 0));
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            },
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                {
                    if (presented is not null && certificate is not null)
                    {
                        lock (presented)
                        {
                            presented.Add(certificate.GetCertHashString());
                        }
                    }

                    return true;
                },
            },
        })
        {
            BaseAddress = address,
            DefaultRequestVersion = version ?? HttpVersion.Version11,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Timeout = TimeSpan.FromSeconds(60),
        };

    /// <summary>A new connection and TLS handshake to <paramref name="address"/>, asking for <paramref name="serverName"/> (SNI).</summary>
    public static async Task<Handshake> HandshakeAsync(Uri address, string serverName = "localhost", SslProtocols protocols = SslProtocols.None)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(address.Host, address.Port);
        await using var tls = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false);
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = serverName,
            EnabledSslProtocols = protocols,
            ApplicationProtocols = [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11],
            RemoteCertificateValidationCallback = (_, _, _, _) => true,
        });
        return new Handshake(tls.RemoteCertificate!.GetCertHashString(), tls.SslProtocol, tls.NegotiatedApplicationProtocol.ToString());
    }
}
