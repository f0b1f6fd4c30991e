using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using PluginHost.Abstractions;

namespace WebApp;

/// <summary>The WebApp sample: HTML pages rendered from templates, plus static files from wwwroot/.</summary>
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
        // Created by the container so that it is disposed with this generation.
        services.AddSingleton(_ => new PhysicalFileProvider(Path.Combine(context.ContentRoot, "wwwroot")));
    }

    /// <inheritdoc />
    public void Configure(IApplicationBuilder app, PluginContext context)
    {
        ArgumentNullException.ThrowIfNull(app);

        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = app.ApplicationServices.GetRequiredService<PhysicalFileProvider>(),
        });
        app.UseRouting();
        app.UseEndpoints(endpoints => endpoints.MapPages());
    }
}
