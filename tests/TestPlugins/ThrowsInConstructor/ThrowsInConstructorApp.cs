using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using PluginHost.Abstractions;
using PluginHost.TestPlugins;

namespace ThrowsInConstructor;

/// <summary>Fails as soon as the host creates it.</summary>
public sealed class ThrowsInConstructorApp : IPluginApp
{
    public ThrowsInConstructorApp()
        => throw new InvalidOperationException("deliberate failure in the constructor");

    public void ConfigureServices(IServiceCollection services, PluginContext context)
    {
    }

    public void Configure(IApplicationBuilder app, PluginContext context)
        => app.UsePluginInfo(context, "throws-in-constructor");
}
