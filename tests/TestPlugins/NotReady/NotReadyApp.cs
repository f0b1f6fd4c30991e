using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using PluginHost.Abstractions;
using PluginHost.TestPlugins;

namespace NotReady;

/// <summary>Builds fine, but never reports ready: the host must not swap traffic to it.</summary>
public sealed class NotReadyApp : IPluginApp
{
    public void ConfigureServices(IServiceCollection services, PluginContext context)
    {
    }

    public void Configure(IApplicationBuilder app, PluginContext context)
        => app.UsePluginInfo(context, "not-ready");

    public ValueTask<bool> IsReadyAsync(IServiceProvider services, CancellationToken cancellationToken)
        => ValueTask.FromResult(false);
}
