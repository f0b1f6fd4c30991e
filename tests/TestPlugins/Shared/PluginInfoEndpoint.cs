using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using PluginHost.Abstractions;

namespace PluginHost.TestPlugins;

/// <summary>
/// The <c>GET /</c> endpoint every test plugin answers: <c>{ app, version, generation, behaviour }</c>.
/// Written with a plain <see cref="RequestDelegate"/> and framework types only, so that it does not itself
/// pin the plugin's load context in framework caches: each test plugin exercises exactly its own behaviour.
/// </summary>
internal static class PluginInfoEndpoint
{
    public static void MapPluginInfo(this IEndpointRouteBuilder endpoints, PluginContext context, string behaviour)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(context);

        var info = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["app"] = context.AppName,
            ["version"] = context.Version,
            ["generation"] = context.Generation,
            ["behaviour"] = behaviour,
        };
        endpoints.MapGet("/", httpContext => httpContext.Response.WriteAsJsonAsync(info, httpContext.RequestAborted));
    }

    /// <summary>The whole pipeline of a test plugin that only needs <c>GET /</c>.</summary>
    public static void UsePluginInfo(this IApplicationBuilder app, PluginContext context, string behaviour)
    {
        ArgumentNullException.ThrowIfNull(app);

        app.UseGenerationHeader(context);
        app.UseRouting();
        app.UseEndpoints(endpoints => endpoints.MapPluginInfo(context, behaviour));
    }
}
