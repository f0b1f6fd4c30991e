using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using PluginHost.Abstractions;
using PluginHost.TestPlugins;

namespace IncompatibleContract;

/// <summary>An ordinary app, except that it was compiled against PluginHost.Abstractions 2.0.0.0.</summary>
public sealed class IncompatibleContractApp : IPluginApp
{
    public void ConfigureServices(IServiceCollection services, PluginContext context)
    {
    }

    public void Configure(IApplicationBuilder app, PluginContext context)
        => app.UsePluginInfo(context, "incompatible-contract");
}
