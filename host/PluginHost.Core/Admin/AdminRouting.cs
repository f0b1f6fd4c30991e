using Microsoft.AspNetCore.Http;
using PluginHost.Core.Configuration;
using PluginHost.Core.Routing;

namespace PluginHost.Core.Admin;

/// <summary>The host's one middleware: admin surface or the app mounted on the path, depending on port and path.</summary>
public sealed class AdminRouting(HostConfig config, AdminPorts ports, AdminEndpoints admin, PluginDispatcher dispatcher)
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
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        }

        return dispatcher.InvokeAsync(context);
    }
}
