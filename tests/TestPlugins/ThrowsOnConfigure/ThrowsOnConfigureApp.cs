using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using PluginHost.Abstractions;

namespace ThrowsOnConfigure;

/// <summary>Registers its services, then fails while building its pipeline.</summary>
public sealed class ThrowsOnConfigureApp : IPluginApp
{
    public void ConfigureServices(IServiceCollection services, PluginContext context)
    {
    }

    public void Configure(IApplicationBuilder app, PluginContext context)
        => throw new InvalidOperationException("deliberate failure in Configure");
}
