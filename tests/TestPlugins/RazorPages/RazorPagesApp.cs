using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using PluginHost.Abstractions;
using PluginHost.TestPlugins;

namespace RazorPages;

/// <summary>A guest book written the way the Razor Pages docs write an app.</summary>
public sealed class RazorPagesApp : IPluginApp
{
    public void ConfigureServices(IServiceCollection services, PluginContext context)
    {
        services.AddSingleton(context);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<GuestBook>();
        services.AddRazorPages();
    }

    public void Configure(IApplicationBuilder app, PluginContext context)
    {
        app.UseGenerationHeader(context);
        app.UseRouting();
        app.UseAuthorization();
        app.UseEndpoints(endpoints =>
        {
            // The Index page owns "/": the plugin info moves to /_plugin.
            endpoints.MapGroup("/_plugin").MapPluginInfo(context, "razor-pages");
            endpoints.MapRazorPages();
        });
    }
}
