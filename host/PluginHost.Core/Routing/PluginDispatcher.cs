using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PluginHost.Core.Generations;
using PluginHost.Core.Loading;
using PluginHost.Core.Policy;
using PluginHost.Core.Telemetry;

namespace PluginHost.Core.Routing;

/// <summary>
/// The host's terminal middleware: enters the current generation, finds the app by mount, and runs the
/// request through that app's own pipeline with the app's own services, entirely on that generation.
/// </summary>
public sealed partial class PluginDispatcher(
    CurrentGeneration current, RequestGate gate, RequestTelemetry telemetry, TimeProvider timeProvider, TrafficSplit split)
{
    public Task InvokeAsync(HttpContext context)
    {
        var started = telemetry.Start();
        var canary = split.Active;
        return canary is null ? InvokeOnAsync(context, current.Enter(), started) : InvokeSplitAsync(context, canary, started);
    }

    /// <summary>While a canary runs: the request goes to its side, and its answer is counted for that side.</summary>
    private Task InvokeSplitAsync(HttpContext context, CanaryRoute canary, long started)
    {
        var generation = TrafficSplit.Enter(context, canary, current, out var onCanary);
        // Only the tally is held while the request runs, not the route (which references the canary's generation).
        return InvokeOnAsync(context, generation, started, canary.Tally, onCanary);
    }

    /// <summary>
    /// Serves the request on <paramref name="generation"/>, which the caller entered (null: nothing is served), and counts its
    /// answer in a canary's <paramref name="tally"/> when one runs (here rather than in a wrapper: no second state machine).
    /// </summary>
    private async Task InvokeOnAsync(HttpContext context, Generation? generation, long started, CanaryTally? tally = null, bool onCanary = false)
    {
        try
        {
            if (generation is null)
            {
                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                telemetry.Complete(context, started, context.Request.Path.Value, PluginHostMetrics.NoApp);
                return;
            }

            try
            {
                if (generation.Mounts.TryMatch(context.Request.Host.Host, context.Request.Path.Value, out var match))
                {
                    await InvokeAppAsync(context, match.Target, match.Mount, started);
                }
                else
                {
                    context.Response.StatusCode = StatusCodes.Status404NotFound;
                    telemetry.Complete(context, started, context.Request.Path.Value, PluginHostMetrics.NoApp);
                }
            }
            finally
            {
                generation.Exit();
            }
        }
        finally
        {
            tally?.Record(onCanary, context.Response.StatusCode, timeProvider.GetElapsedTime(started));
        }
    }

    private async Task InvokeAppAsync(HttpContext context, AppInstance app, string mount, long started)
    {
        var request = context.Request;
        var originalPathBase = request.PathBase;
        var originalPath = request.Path;
        var originalServices = context.Features.Get<IServiceProvidersFeature>();
        var aborted = false;
        if (mount.Length > 1)
        {
            var path = originalPath.Value!;
            // The mount's own string when the request spells it alike (the usual case): no substring per request.
            var prefix = path.StartsWith(mount, StringComparison.Ordinal) ? mount : path[..mount.Length];
            request.PathBase = originalPathBase.Add(new PathString(prefix));
            request.Path = new PathString(path[mount.Length..]);
        }

        try
        {
            // Authentication runs on the host's services, before the app's scope replaces them.
            var admitted = gate.AdmitAsync(context, app);
            if (admitted.IsCompletedSuccessfully ? admitted.Result : await admitted)
            {
                // Run inline (not as another async method): one state machine per request fewer.
                var running = InFlightRequest.Start(context, originalPath.Value, app.Config.RequestTimeout, timeProvider);
                app.Running.Add(running);
                // RequestServices is a scope of the app's container, created only when asked for (as ASP.NET Core
                // does): never a scope of the host's container, and none at all for requests that resolve nothing.
                var services = new RequestServicesFeature(context, app.ScopeFactory);
                context.Features.Set<IServiceProvidersFeature>(services);
                try
                {
                    await app.Pipeline(context);
                    if (running.EndedBy != RequestEnd.None)
                    {
                        EndedByHost(context, app, running);
                    }
                }
                catch (BadHttpRequestException ex) when (!context.Response.HasStarted)
                {
                    // E.g. a body over maxRequestBodySize: 413 for this request only.
                    Log.BadRequest(app.Logger, app.Name, request.Method, originalPath.Value, ex.StatusCode, ex.Message);
                    context.Response.Clear();
                    context.Response.StatusCode = ex.StatusCode;
                }
                catch (Exception) when (running.EndedBy != RequestEnd.None)
                {
                    EndedByHost(context, app, running);
                }
                catch (Exception ex) when (!context.RequestAborted.IsCancellationRequested)
                {
                    if (context.Response.HasStarted)
                    {
                        Log.AppThrewAfterStart(app.Logger, ex, app.Name, request.Method, originalPath.Value, context.Response.StatusCode);
                        context.Abort();
                    }
                    else
                    {
                        Log.AppThrew(app.Logger, ex, app.Name, request.Method, originalPath.Value);
                        context.Response.Clear();
                        context.Response.StatusCode = StatusCodes.Status500InternalServerError;
                    }
                }
                finally
                {
                    aborted = running.ConnectionGone || (running.EndedBy != RequestEnd.None && context.Response.HasStarted);
                    app.Running.Remove(running);
                    await services.DisposeAsync();
                    running.Dispose();
                }
            }
        }
        finally
        {
            telemetry.Complete(context, started, originalPath.Value, app.Name, app.Context.Version, app.Context.Generation, aborted);
            context.Features.Set(originalServices);
            context.SetEndpoint(null);
            request.PathBase = originalPathBase;
            request.Path = originalPath;
        }
    }

    /// <summary>
    /// A request the host ended: past requestTimeout it answers 503 if the app had not started its response (else the
    /// response is cut off); aborted because its generation retired, it was logged when the abort began.
    /// </summary>
    private static void EndedByHost(HttpContext context, AppInstance app, InFlightRequest running)
    {
        if (running.EndedBy == RequestEnd.TimedOut)
        {
            if (context.Response.HasStarted)
            {
                Log.TimedOutAfterStart(app.Logger, app.Name, running.Method, running.Path, app.Config.RequestTimeout);
                context.Abort();
                return;
            }

            Log.TimedOut(app.Logger, app.Name, running.Method, running.Path, app.Config.RequestTimeout);
            context.Response.Clear();
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        }
        else if (!context.Response.HasStarted)
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 40, EventName = "AppRequestFailed", Level = LogLevel.Error,
            Message = "{App} threw while handling {Method} {Path}; answered 500")]
        public static partial void AppThrew(ILogger logger, Exception exception, string app, string method, string? path);

        [LoggerMessage(EventId = 41, EventName = "AppRequestTimedOut", Level = LogLevel.Warning,
            Message = "{App} did not finish {Method} {Path} within {Timeout}; answered 503")]
        public static partial void TimedOut(ILogger logger, string app, string method, string? path, TimeSpan timeout);

        [LoggerMessage(EventId = 46, EventName = "AppRequestTimedOutAfterStart", Level = LogLevel.Warning,
            Message = "{App} did not finish {Method} {Path} within {Timeout}; its response had started, so it was cut off")]
        public static partial void TimedOutAfterStart(ILogger logger, string app, string method, string? path, TimeSpan timeout);

        [LoggerMessage(EventId = 47, EventName = "AppRequestFailedAfterStart", Level = LogLevel.Error,
            Message = "{App} threw while handling {Method} {Path} after its response had started with {StatusCode}; the response was cut off")]
        public static partial void AppThrewAfterStart(ILogger logger, Exception exception, string app, string method, string? path, int statusCode);

        [LoggerMessage(EventId = 42, EventName = "AppRequestRejected", Level = LogLevel.Information,
            Message = "{Method} {Path} for {App} rejected with {StatusCode}: {Reason}")]
        public static partial void BadRequest(ILogger logger, string app, string method, string? path, int statusCode, string reason);
    }
}
