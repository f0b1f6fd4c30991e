using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using PluginHost.Abstractions;
using PluginHost.TestPlugins;

namespace ShipsContractCopy;

/// <summary>An ordinary app whose release folder carries a stray PluginHost.Abstractions.dll.</summary>
public sealed class ShipsContractCopyApp : IPluginApp
{
    public void ConfigureServices(IServiceCollection services, PluginContext context)
    {
    }

    public void Configure(IApplicationBuilder app, PluginContext context)
        => app.UsePluginInfo(context, "ships-contract-copy");
}
