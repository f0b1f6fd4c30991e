using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using PluginHost.Abstractions;

namespace TinyJson;

/// <summary>A minimal-API app with one endpoint: <c>GET /</c> answers <see cref="TinyJsonEndpoint"/>'s document.</summary>
public sealed class TinyJsonApp : IPluginApp
{
    public void ConfigureServices(IServiceCollection services, PluginContext context)
    {
    }

    public void Configure(IApplicationBuilder app, PluginContext context)
    {
        ArgumentNullException.ThrowIfNull(app);

        app.UseRouting();
        app.UseEndpoints(endpoints => endpoints.MapTinyJson("/"));
    }
}
