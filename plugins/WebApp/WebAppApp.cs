using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using PluginHost.Abstractions;

namespace WebApp;

/// <summary>
/// The WebApp sample: HTML pages rendered from templates. Its static files (wwwroot/) are served by the host
/// (<c>static: wwwroot</c> in config.yaml), whose rules refuse dot files, appsettings*.json, assemblies and symlinks
/// leading out of the release; an app's own file provider would serve all of those.
/// </summary>
public sealed class WebAppApp : IPluginApp
{
    /// <inheritdoc />
    public void ConfigureServices(IServiceCollection services, PluginContext context)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(context);

        services.AddSingleton(context);
        services.AddOptions<SiteOptions>().Bind(context.Settings);
        services.AddSingleton<PageRenderer>();
    }

    /// <inheritdoc />
    public void Configure(IApplicationBuilder app, PluginContext context)
    {
        ArgumentNullException.ThrowIfNull(app);

        app.UseRouting();
        app.UseEndpoints(endpoints => endpoints.MapPages());
    }
}
