using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using PluginHost.Core.Configuration;
using PluginHost.Core.Reloading;
using PluginHost.Core.Status;
using PluginHost.Core.Telemetry;

namespace PluginHost.Core.Admin;

/// <summary>
/// The admin surface under <c>admin.path</c> (default /_pluginhost): <c>GET /</c> (HTML status page), <c>GET status</c> (JSON),
/// <c>GET metrics</c> (Prometheus text), <c>GET healthz</c> (the process answers), <c>GET readyz</c> (a generation serves
/// and no app's health check is Unhealthy; 503 otherwise), <c>POST reload</c>, and the deploy actions of <see cref="DeployEndpoints"/>
/// (<c>POST prepare</c>, <c>POST rollback</c>, <c>POST canary</c>, <c>POST canary/finish</c>, <c>POST canary/abort</c>).
/// Answered by the host before any app is looked up; refused unless <see cref="AdminAccess"/> allows it.
/// </summary>
public sealed partial class AdminEndpoints(HostConfig config, AdminAccess access, StatusReporter status, ReloadCoordinator coordinator, StatusPage page,
    PrometheusExporter metrics, RequestTelemetry telemetry, HealthReporter health, DeployEndpoints deploy, ILogger<AdminEndpoints> logger)
{
    public async Task InvokeAsync(HttpContext context, PathString subPath)
    {
        ArgumentNullException.ThrowIfNull(context);
        var started = telemetry.Start();
        try
        {
            await AnswerAsync(context, subPath);
        }
        finally
        {
            telemetry.Complete(context, started, context.Request.Path.Value, PluginHostMetrics.AdminApp);
        }
    }

    private async Task AnswerAsync(HttpContext context, PathString subPath)
    {
        if (access.UndeclaredForwarding(context) is { } header)
        {
            Log.UndeclaredProxy(logger, DirectPeer.Of(context)?.ToString(), context.Request.Path.Value, header);
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return;
        }

        if (access.Refusal(context) is { } refusal)
        {
            Log.Refused(logger, context.Connection.RemoteIpAddress?.ToString(), context.Request.Path.Value, refusal);
            context.Response.StatusCode = refusal;
            if (refusal == StatusCodes.Status401Unauthorized)
            {
                context.Response.Headers.WWWAuthenticate = "Bearer realm=\"pluginhost-admin\"";
            }

            return;
        }

        switch (subPath.Value, context.Request.Method)
        {
            case ("" or "/", "GET"):
                context.Response.ContentType = "text/html; charset=utf-8";
                context.Response.Headers.CacheControl = "no-store";
                await context.Response.WriteAsync(page.Render(config.Admin.Path), context.RequestAborted);
                break;
            case ("/metrics", "GET"):
                context.Response.ContentType = PrometheusExporter.ContentType;
                await context.Response.WriteAsync(metrics.Scrape(), context.RequestAborted);
                break;
            case ("/healthz", "GET"):
                context.Response.ContentType = "text/plain; charset=utf-8";
                context.Response.Headers.CacheControl = "no-store";
                await context.Response.WriteAsync("Healthy", context.RequestAborted);
                break;
            case ("/readyz", "GET"):
                var readiness = await health.CheckAsync(context.RequestAborted);
                context.Response.StatusCode = readiness.Ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;
                context.Response.ContentType = "application/json; charset=utf-8";
                context.Response.Headers.CacheControl = "no-store";
                await JsonSerializer.SerializeAsync(context.Response.Body, readiness, StatusJsonContext.Default.Readiness, context.RequestAborted);
                break;
            case ("/status", "GET"):
                context.Response.ContentType = "application/json; charset=utf-8";
                await JsonSerializer.SerializeAsync(context.Response.Body, status.Snapshot(), StatusJsonContext.Default.HostStatus, context.RequestAborted);
                break;
            case ("/reload", "POST") when context.Request.Query["wait"] == "true":
                // 'pluginhost reload --wait' (the unit's ExecReload): reload now and answer with the result, 500 when it
                // failed, so that 'systemctl reload' reports the failure.
                var result = await coordinator.ReloadAsync(new ReloadRequest("admin request (reload --wait)"), context.RequestAborted);
                context.Response.StatusCode = result.Ok ? StatusCodes.Status200OK : StatusCodes.Status500InternalServerError;
                context.Response.ContentType = "application/json; charset=utf-8";
                await JsonSerializer.SerializeAsync(context.Response.Body, result, StatusJsonContext.Default.ReloadResult, context.RequestAborted);
                break;
            case ("/reload", "POST"):
                coordinator.RequestReload("admin request");
                context.Response.StatusCode = StatusCodes.Status202Accepted;
                break;
            case ("/prepare", "POST"):
                await deploy.PrepareAsync(context);
                break;
            case ("/rollback", "POST"):
                await deploy.RollbackAsync(context);
                break;
            case ("/canary", "POST"):
                await deploy.CanaryAsync(context);
                break;
            case ("/canary/finish", "POST"):
                await deploy.FinishCanaryAsync(context);
                break;
            case ("/canary/abort", "POST"):
                await deploy.AbortCanaryAsync(context, context.Request.Query["by"] == "rollback" ? "'pluginhost rollback'" : "the admin API");
                break;
            default:
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                break;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 50, EventName = "AdminRefused", Level = LogLevel.Warning,
            Message = "Admin request from {RemoteAddress} to {Path} refused with {StatusCode}")]
        public static partial void Refused(ILogger logger, string? remoteAddress, string? path, int statusCode);

        [LoggerMessage(EventId = 105, EventName = "AdminRefusedUndeclaredProxy", Level = LogLevel.Warning,
            Message = "Admin request from {RemoteAddress} to {Path} refused with 403: it carries {Header}, but that peer is not a declared proxy. "
                + "If a reverse proxy forwards to this host, add its address to server.forwardedHeaders.knownProxies in config.yaml; "
                + "until then the admin allow-list would judge the proxy's address instead of the client's")]
        public static partial void UndeclaredProxy(ILogger logger, string? remoteAddress, string? path, string header);
    }
}
