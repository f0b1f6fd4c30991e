using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace PluginHost.Core.Workers;

/// <summary>
/// How the host and a worker speak over the worker's Unix socket: HTTP/2 with prior knowledge. The requests of all of an
/// app's clients share a few connections, so each side reads and writes many requests per system call instead of one
/// per request (a third less CPU per forwarded request than HTTP/1.1 here). WebSockets go as HTTP/2 extended CONNECT
/// (RFC 8441), which YARP and Kestrel both speak.
/// </summary>
public static class WorkerHttp
{
    public static Version Version => HttpVersion.Version20;

    /// <summary>Exact: HTTP/2 without TLS has no negotiation, so asking for it means prior knowledge.</summary>
    public static HttpVersionPolicy VersionPolicy => HttpVersionPolicy.RequestVersionExact;

    /// <summary>Room for the client's headers, which the host's own limits have already bounded, plus the host's forwarded ones.</summary>
    private const int HeaderRoom = 64 * 1024;

    /// <summary>The worker's side: Kestrel listening on the socket.</summary>
    public static void Listen(KestrelServerOptions options, string socketPath)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.ListenUnixSocket(socketPath, listen => listen.Protocols = HttpProtocols.Http2);
        options.Limits.MaxRequestHeadersTotalSize = HeaderRoom;
        options.Limits.Http2.MaxRequestHeaderFieldSize = HeaderRoom;
    }

    /// <summary>The host's side: a connection pool to the socket, opening more connections when one is full of streams (long-lived requests).</summary>
    public static SocketsHttpHandler Handler(string socketPath, TimeSpan connectTimeout) => new()
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        UseCookies = false,
        ActivityHeadersPropagator = null,
        ConnectTimeout = connectTimeout,
        EnableMultipleHttp2Connections = true,
        ConnectCallback = (_, cancellationToken) => ConnectAsync(socketPath, cancellationToken),
    };

    /// <summary>A GET of the host's own (the probe, a rehearsal's requests), with the worker's secret.</summary>
    public static HttpRequestMessage Get(string url, string key)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url) { Version = Version, VersionPolicy = VersionPolicy };
        request.Headers.TryAddWithoutValidation(WorkerProtocol.KeyHeader, key);
        return request;
    }

    private static async ValueTask<Stream> ConnectAsync(string socketPath, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
