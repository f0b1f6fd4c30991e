using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using PluginHost.Core.Configuration;
using PluginHost.Core.Workers;

namespace PluginHost.Core.Telemetry;

/// <summary>
/// Ends every request with one structured log event, unless <c>logging.requestLog</c> is false, and records it in
/// <see cref="PluginHostMetrics"/>. Requests an app generation served log <c>RequestCompleted</c> (70: method, path, status,
/// elapsed, App, Version, Generation, ClientAddress); requests a process app's worker served log <c>WorkerRequestCompleted</c> (73: the same and WorkerPid); requests the host answered itself (admin surface, no app mounted, nothing served)
/// log <c>HostRequestCompleted</c> (71: the same without Version and Generation, which they do not have); requests cut off
/// (the client left, or the host aborted them) log <c>RequestAborted</c> (72: how far the response got instead of a status).
/// </summary>
public sealed partial class RequestTelemetry(PluginHostMetrics metrics, HostConfig config, TimeProvider timeProvider, ILogger<RequestTelemetry> logger)
{
    private readonly bool _logRequests = config.Logging.RequestLog;

    public long Start() => timeProvider.GetTimestamp();

    /// <param name="path">The request path as the host received it (before an app's mount was cut off).</param>
    /// <param name="app">The app that served it, or <see cref="PluginHostMetrics.AdminApp"/> / <see cref="PluginHostMetrics.NoApp"/>.</param>
    /// <param name="version">The served release; null (with <paramref name="generation"/>) when no app generation served the request.</param>
    /// <param name="aborted">The request was cut off (the client left, or the host aborted it): its status was never (fully) sent.</param>
    public void Complete(HttpContext context, long started, string? path, string app, string? version = null, long? generation = null, bool aborted = false)
    {
        ArgumentNullException.ThrowIfNull(context);
        var elapsed = timeProvider.GetElapsedTime(started);
        var status = context.Response.StatusCode;
        metrics.RequestCompleted(app, status, elapsed, aborted);
        if (!_logRequests)
        {
            return;
        }

        if (aborted)
        {
            Log.RequestAborted(logger, context.Request.Method, path, context.Response.HasStarted ? $"after its response started with {status}" : "before any response",
                elapsed.TotalMilliseconds, app, version ?? "-", generation ?? 0, ClientAddress(context));
        }
        else if (version is not null && generation is { } number && context.Features.Get<ServedByWorker>() is { } worker)
        {
            Log.WorkerRequestCompleted(logger, context.Request.Method, path, status, elapsed.TotalMilliseconds, app, version, number, worker.Pid, ClientAddress(context));
        }
        else if (version is not null && generation is { } served)
        {
            Log.RequestCompleted(logger, context.Request.Method, path, status, elapsed.TotalMilliseconds, app, version, served, ClientAddress(context));
        }
        else
        {
            Log.HostRequestCompleted(logger, context.Request.Method, path, status, elapsed.TotalMilliseconds, app, ClientAddress(context));
        }
    }

    /// <summary>The client: the direct peer, or the client a declared proxy forwarded (server.forwardedHeaders.knownProxies).</summary>
    private static string ClientAddress(HttpContext context) =>
        context.Connection.RemoteIpAddress is { } address ? (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString() : "-";

    private static partial class Log
    {
        [LoggerMessage(EventId = 70, EventName = "RequestCompleted", Level = LogLevel.Information,
            Message = "HTTP {RequestMethod} {RequestPath} responded {StatusCode} in {Elapsed:0.0} ms ({App} {Version} generation {Generation}) for {ClientAddress}")]
        public static partial void RequestCompleted(ILogger logger, string requestMethod, string? requestPath, int statusCode, double elapsed,
            string app, string version, long generation, string clientAddress);

        [LoggerMessage(EventId = 73, EventName = "WorkerRequestCompleted", Level = LogLevel.Information,
            Message = "HTTP {RequestMethod} {RequestPath} responded {StatusCode} in {Elapsed:0.0} ms ({App} {Version} generation {Generation}, worker {WorkerPid}) for {ClientAddress}")]
        public static partial void WorkerRequestCompleted(ILogger logger, string requestMethod, string? requestPath, int statusCode, double elapsed,
            string app, string version, long generation, int workerPid, string clientAddress);

        [LoggerMessage(EventId = 72, EventName = "RequestAborted", Level = LogLevel.Information,
            Message = "HTTP {RequestMethod} {RequestPath} aborted {Progress} after {Elapsed:0.0} ms ({App} {Version} generation {Generation}) for {ClientAddress}")]
        public static partial void RequestAborted(ILogger logger, string requestMethod, string? requestPath, string progress, double elapsed,
            string app, string version, long generation, string clientAddress);

        [LoggerMessage(EventId = 71, EventName = "HostRequestCompleted", Level = LogLevel.Information,
            Message = "HTTP {RequestMethod} {RequestPath} responded {StatusCode} in {Elapsed:0.0} ms {App} for {ClientAddress}")]
        public static partial void HostRequestCompleted(ILogger logger, string requestMethod, string? requestPath, int statusCode, double elapsed, string app,
            string clientAddress);
    }
}
