using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Net.Http.Headers;
using PluginHost.Core.Generations;
using PluginHost.Core.Loading;
using Serilog.Context;

namespace PluginHost.Core.Routing;

/// <summary>
/// The host's terminal middleware: enters the current generation, finds the app by mount, and runs the
/// request through that app's own pipeline with the app's own services, entirely on that generation.
/// </summary>
public sealed partial class PluginDispatcher(CurrentGeneration current, ILogger<PluginDispatcher> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var generation = current.Enter();
        if (generation is null)
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return;
        }

        try
        {
            if (generation.Mounts.TryMatch(context.Request.Host.Host, context.Request.Path.Value, out var match))
            {
                await InvokeAppAsync(context, match.Target, match.Mount);
            }
            else
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
            }
        }
        finally
        {
            generation.Exit();
        }
    }

    private async Task InvokeAppAsync(HttpContext context, AppInstance app, string mount)
    {
        var request = context.Request;
        var originalPathBase = request.PathBase;
        var originalPath = request.Path;
        var originalServices = context.Features.Get<IServiceProvidersFeature>();
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
        // RequestServices is a scope of the app's container, created only when asked for (as ASP.NET Core does):
        // never a scope of the host's container, and none at all for requests that resolve nothing.
        await using var services = new RequestServicesFeature(context, app.Services.GetRequiredService<IServiceScopeFactory>());
        context.Features.Set<IServiceProvidersFeature>(services);
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
            context.Features.Set(originalServices);
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
