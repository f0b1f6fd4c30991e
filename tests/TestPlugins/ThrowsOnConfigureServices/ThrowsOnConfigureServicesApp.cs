using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using PluginHost.Abstractions;
using PluginHost.TestPlugins;

namespace ThrowsOnConfigureServices;

/// <summary>Fails while registering its services.</summary>
public sealed class ThrowsOnConfigureServicesApp : IPluginApp
{
    public void ConfigureServices(IServiceCollection services, PluginContext context)
        => throw new InvalidOperationException("deliberate failure in ConfigureServices");

    public void Configure(IApplicationBuilder app, PluginContext context)
        => app.UsePluginInfo(context, "throws-on-configure-services");
}
