using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Net.Http.Headers;
using PluginHost.Core.Generations;
using PluginHost.Core.Loading;
using PluginHost.Core.Telemetry;
using Serilog.Context;

namespace PluginHost.Core.Routing;

/// <summary>
/// The host's terminal middleware: enters the current generation, finds the app by mount, and runs the
/// request through that app's own pipeline with the app's own services, entirely on that generation.
/// </summary>
public sealed partial class PluginDispatcher(CurrentGeneration current, RequestTelemetry telemetry, ILogger<PluginDispatcher> logger)
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
        var originalServices = context.RequestServices;
        if (mount.Length > 1)
        {
            var path = originalPath.Value!;
            request.PathBase = originalPathBase.Add(new PathString(path[..mount.Length]));
            request.Path = new PathString(path[mount.Length..]);
        }

        if (!app.Config.PassAuthorization)
        {
            request.Headers.Remove(HeaderNames.Authorization);
            request.Headers.Remove(HeaderNames.ProxyAuthorization);
        }

        app.Enter();
        using var logProperties = LogContext.Push(app.LogProperties);
        await using var scope = app.Services.CreateAsyncScope();
        context.RequestServices = scope.ServiceProvider;
        try
        {
            await app.Pipeline(context);
        }
        catch (Exception ex) when (!context.RequestAborted.IsCancellationRequested)
        {
            Log.AppThrew(logger, ex, app.Name, request.Method, originalPath.Value);
            if (!context.Response.HasStarted)
            {
                context.Response.Clear();
                context.Response.StatusCode = StatusCodes.Status500InternalServerError;
            }
            else
            {
                context.Abort();
            }
        }
        finally
        {
            app.Exit();
            telemetry.Complete(context, started, originalPath.Value, app.Name, app.Context.Version, app.Context.Generation);
            context.RequestServices = originalServices;
            context.SetEndpoint(null);
            request.PathBase = originalPathBase;
            request.Path = originalPath;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 40, EventName = "AppRequestFailed", Level = LogLevel.Error,
            Message = "{App} threw while handling {Method} {Path}; answered 500")]
        public static partial void AppThrew(ILogger logger, Exception exception, string app, string method, string? path);
    }
}
