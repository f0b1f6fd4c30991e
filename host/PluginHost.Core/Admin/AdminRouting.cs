using Microsoft.AspNetCore.Http;
using PluginHost.Core.Configuration;
using PluginHost.Core.Routing;
using PluginHost.Core.Telemetry;

namespace PluginHost.Core.Admin;

/// <summary>The host's one middleware: admin surface or the app mounted on the path, depending on port and path.</summary>
public sealed class AdminRouting(HostConfig config, AdminPorts ports, AdminEndpoints admin, PluginDispatcher dispatcher, RequestTelemetry telemetry)
{
    private readonly PathString _adminPath = new(config.Admin.Path);

    public Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var adminPort = ports.Separate && ports.IsAdminConnection(context);
        if (ports.Separate && !adminPort)
        {
            // The app ports never serve the admin surface once it has ports of its own.
            return dispatcher.InvokeAsync(context);
        }

        if (context.Request.Path.StartsWithSegments(_adminPath, out var rest))
        {
            return admin.InvokeAsync(context, rest);
        }

        if (adminPort)
        {
            // Not the admin surface and never an app on the admin ports; still one log event and one metric, like every request.
            var started = telemetry.Start();
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            telemetry.Complete(context, started, context.Request.Path.Value, PluginHostMetrics.NoApp);
            return Task.CompletedTask;
        }

        return dispatcher.InvokeAsync(context);
    }
}
