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
    CurrentGeneration current, RequestGate gate, RequestTelemetry telemetry, TimeProvider timeProvider)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var started = telemetry.Start();
        var generation = current.Enter();
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

    private async Task InvokeAppAsync(HttpContext context, AppInstance app, string mount, long started)
    {
        var request = context.Request;
        var originalPathBase = request.PathBase;
        var originalPath = request.Path;
        var originalServices = context.Features.Get<IServiceProvidersFeature>();
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
                app.Enter();
                var deadline = RequestDeadline.Start(context, app.Config.RequestTimeout, timeProvider);
                // RequestServices is a scope of the app's container, created only when asked for (as ASP.NET Core
                // does): never a scope of the host's container, and none at all for requests that resolve nothing.
                var services = new RequestServicesFeature(context, app.ScopeFactory);
                context.Features.Set<IServiceProvidersFeature>(services);
                try
                {
                    await app.Pipeline(context);
                    if (deadline.Expired && !context.Response.HasStarted)
                    {
                        Log.TimedOut(app.Logger, app.Name, request.Method, originalPath.Value, app.Config.RequestTimeout);
                        context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                    }
                }
                catch (BadHttpRequestException ex) when (!context.Response.HasStarted)
                {
                    // E.g. a body over maxRequestBodySize: 413 for this request only.
                    Log.BadRequest(app.Logger, app.Name, request.Method, originalPath.Value, ex.StatusCode, ex.Message);
                    context.Response.Clear();
                    context.Response.StatusCode = ex.StatusCode;
                }
                catch (Exception) when (deadline.Expired)
                {
                    Log.TimedOut(app.Logger, app.Name, request.Method, originalPath.Value, app.Config.RequestTimeout);
                    Answer(context, StatusCodes.Status503ServiceUnavailable);
                }
                catch (Exception ex) when (!context.RequestAborted.IsCancellationRequested)
                {
                    Log.AppThrew(app.Logger, ex, app.Name, request.Method, originalPath.Value);
                    Answer(context, StatusCodes.Status500InternalServerError);
                }
                finally
                {
                    app.Exit();
                    await services.DisposeAsync();
                    deadline.Dispose();
                }
            }
        }
        finally
        {
            telemetry.Complete(context, started, originalPath.Value, app.Name, app.Context.Version, app.Context.Generation);
            context.Features.Set(originalServices);
            context.SetEndpoint(null);
            request.PathBase = originalPathBase;
            request.Path = originalPath;
        }
    }

    private static void Answer(HttpContext context, int statusCode)
    {
        if (context.Response.HasStarted)
        {
            context.Abort();
            return;
        }

        context.Response.Clear();
        context.Response.StatusCode = statusCode;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 40, EventName = "AppRequestFailed", Level = LogLevel.Error,
            Message = "{App} threw while handling {Method} {Path}; answered 500")]
        public static partial void AppThrew(ILogger logger, Exception exception, string app, string method, string? path);

        [LoggerMessage(EventId = 41, EventName = "AppRequestTimedOut", Level = LogLevel.Warning,
            Message = "{App} did not finish {Method} {Path} within {Timeout}; answered 503")]
        public static partial void TimedOut(ILogger logger, string app, string method, string? path, TimeSpan timeout);

        [LoggerMessage(EventId = 42, EventName = "AppRequestRejected", Level = LogLevel.Information,
            Message = "{Method} {Path} for {App} rejected with {StatusCode}: {Reason}")]
        public static partial void BadRequest(ILogger logger, string app, string method, string? path, int statusCode, string reason);
    }
}
