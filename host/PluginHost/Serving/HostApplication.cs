using PluginHost.Core.Configuration;
using PluginHost.Core.Hosting;
using PluginHost.Core.Reloading;
using Serilog;

namespace PluginHost.Serving;

/// <summary>Builds the host web application from a loaded config: Serilog, Kestrel URLs, the engine.</summary>
public static class HostApplication
{
    public static WebApplication Build(HostConfig config, IReadOnlyList<string>? urlsOverride, Serilog.ILogger logger, ReloadHooks? hooks = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ContentRootPath = Path.GetDirectoryName(config.SourcePath),
            Args = [],
        });
        builder.Logging.ClearProviders();
        builder.Services.AddSerilog(logger, dispose: false);
        // The admin surface's own URLs (admin.urls) are always added: --urls replaces only the app URLs.
        builder.WebHost.UseUrls([.. urlsOverride is { Count: > 0 } ? urlsOverride : config.Server.Urls, .. config.Admin.Urls]);
        builder.Services.AddPluginHost(config, hooks ?? new ReloadHooks(ConfigLoader.Load));
        var app = builder.Build();
        app.UsePluginHost();
        return app;
    }
}
