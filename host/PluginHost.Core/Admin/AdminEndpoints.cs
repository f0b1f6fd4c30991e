using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using PluginHost.Core.Reloading;
using PluginHost.Core.Status;

namespace PluginHost.Core.Admin;

/// <summary>
/// The admin surface under <c>admin.path</c> (default /_pluginhost): <c>GET status</c> (JSON) and <c>POST reload</c>.
/// Answered by the host before any app is looked up; refused unless <see cref="AdminAccess"/> allows it.
/// </summary>
public sealed partial class AdminEndpoints(AdminAccess access, StatusReporter status, ReloadCoordinator coordinator, ILogger<AdminEndpoints> logger)
{
    public async Task InvokeAsync(HttpContext context, PathString subPath)
    {
        ArgumentNullException.ThrowIfNull(context);
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
            case ("/status", "GET"):
                context.Response.ContentType = "application/json; charset=utf-8";
                await JsonSerializer.SerializeAsync(context.Response.Body, status.Snapshot(), StatusJsonContext.Default.HostStatus, context.RequestAborted);
                break;
            case ("/reload", "POST"):
                coordinator.RequestReload("admin request");
                context.Response.StatusCode = StatusCodes.Status202Accepted;
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
    }
}
