using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using PluginHost.Abstractions;
using PluginHost.TestPlugins;

namespace ShowsClient;

/// <summary>
/// <c>GET /client</c> answers <c>{ remoteAddress, scheme, host, protocol, isHttps }</c>: what an ordinary app reads from
/// <see cref="HttpContext"/> to log a visitor or build an absolute link. Used to check what apps see over HTTPS, HTTP/2
/// and behind a reverse proxy.
/// </summary>
public sealed class ShowsClientApp : IPluginApp
{
    public void ConfigureServices(IServiceCollection services, PluginContext context)
    {
    }

    public void Configure(IApplicationBuilder app, PluginContext context)
    {
        ArgumentNullException.ThrowIfNull(app);

        app.UseRouting();
        app.UseEndpoints(endpoints =>
        {
            endpoints.MapPluginInfo(context, "shows-client");
            endpoints.MapGet("/client", (HttpContext http) => Results.Json(new Dictionary<string, object?>
            {
                ["remoteAddress"] = http.Connection.RemoteIpAddress?.ToString(),
                ["scheme"] = http.Request.Scheme,
                ["host"] = http.Request.Host.Value,
                ["protocol"] = http.Request.Protocol,
                ["isHttps"] = http.Request.IsHttps,
            }));
        });
    }
}
