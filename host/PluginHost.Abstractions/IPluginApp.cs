using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace PluginHost.Abstractions;

/// <summary>
/// The entry point of a plugin web app: the counterpart of a WSGI <c>application</c>.
/// The host creates one instance per load (generation), gives it its own service container
/// and its own middleware pipeline, and mounts that pipeline on the app's URL prefix.
/// </summary>
public interface IPluginApp
{
    /// <summary>Registers the app's services in the app's own container.</summary>
    void ConfigureServices(IServiceCollection services, PluginContext context);

    /// <summary>Builds the app's own pipeline (UseRouting, UseEndpoints, static files…).</summary>
    void Configure(IApplicationBuilder app, PluginContext context);

    /// <summary>
    /// Readiness check run before traffic is swapped to this generation. Throw or return false to fail the load.
    /// </summary>
    ValueTask<bool> IsReadyAsync(IServiceProvider services, CancellationToken cancellationToken) => ValueTask.FromResult(true);
}
