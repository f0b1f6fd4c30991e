using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Authentication;
using Yarp.ReverseProxy.Forwarder;

namespace PluginHost.Core.Workers;

/// <summary>
/// Forwards a request to a worker over its socket with YARP's <see cref="IHttpForwarder"/>: the full path (the worker
/// splits PathBase at the mount as the host does in-process), the client's Host, address and scheme as forwarded headers,
/// the user the host authenticated, and the secret that makes the worker trust all of it. Bodies stream both ways;
/// WebSocket upgrades pass through.
/// </summary>
public sealed class WorkerForwarder(IHttpForwarder forwarder)
{
    private const string Destination = "http://worker";

    /// <summary>
    /// How requests go to workers. No activity timeout: the host's own requestTimeout ends an ordinary request, and the
    /// probe replaces a worker that stopped answering; YARP's would also cut a WebSocket that is idle for that long.
    /// </summary>
    public static ForwarderRequestConfig Config { get; } = new()
    {
        Version = WorkerHttp.Version,
        VersionPolicy = WorkerHttp.VersionPolicy,
        ActivityTimeout = Timeout.InfiniteTimeSpan,
    };

    /// <summary>The request transform for one worker (its secret), made once per worker.</summary>
    public static HttpTransformer TransformerFor(string key) => new Transformer(key);

    public async Task ForwardAsync(HttpContext context, RunningWorker worker)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(worker);
        context.Features.Set(worker.ServedBy);
        var error = await forwarder.SendAsync(context, Destination, worker.Client, Config, worker.Transformer);
        if (error != ForwarderError.None && !context.Response.HasStarted
            && context.Features.Get<IForwarderErrorFeature>()?.Exception is { } exception && BodyRefusal(exception) is { } status)
        {
            // E.g. a body over maxRequestBodySize, read by the forwarder: the same answer as in-process.
            context.Response.StatusCode = status;
        }
    }

    private static int? BodyRefusal(Exception exception) => exception switch
    {
        BadHttpRequestException bad => bad.StatusCode,
        { InnerException: { } inner } => BodyRefusal(inner),
        _ => null,
    };

    private sealed class Transformer(string key) : HttpTransformer
    {
        public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix,
            CancellationToken cancellationToken)
        {
            await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);
            var request = httpContext.Request;
            proxyRequest.RequestUri = RequestUtilities.MakeDestinationAddress(destinationPrefix, request.PathBase.Add(request.Path), request.QueryString);
            proxyRequest.Headers.Host = request.Host.Value;
            var headers = proxyRequest.Headers;
            foreach (var owned in WorkerProtocol.Headers)
            {
                if (request.Headers.ContainsKey(owned))
                {
                    headers.Remove(owned);
                }
            }

            headers.TryAddWithoutValidation(WorkerProtocol.KeyHeader, key);
            if (httpContext.Connection.RemoteIpAddress is { } client)
            {
                headers.TryAddWithoutValidation(WorkerProtocol.ClientHeader, client.ToString());
            }

            headers.TryAddWithoutValidation(WorkerProtocol.SchemeHeader, request.Scheme);
            if (httpContext.User.Identity is { IsAuthenticated: true, Name: { } name } identity)
            {
                headers.TryAddWithoutValidation(WorkerProtocol.UserHeader, Uri.EscapeDataString(name));
                headers.TryAddWithoutValidation(WorkerProtocol.AuthHeader, identity.AuthenticationType ?? "");
            }
        }
    }
}
