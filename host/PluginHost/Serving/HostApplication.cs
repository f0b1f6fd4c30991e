using PluginHost.Core.Configuration;
using PluginHost.Core.Hosting;
using PluginHost.Core.Reloading;
using PluginHost.Core.Telemetry;
using Serilog;

namespace PluginHost.Serving;

/// <summary>Builds the host web application from a loaded config: Serilog, Kestrel URLs, the engine.</summary>
public static class HostApplication
{
    /// <param name="logBuffers">The buffers in front of <paramref name="logger"/>'s sinks (metrics and status report them); none when omitted.</param>
    public static WebApplication Build(HostConfig config, IReadOnlyList<string>? urlsOverride, Serilog.ILogger logger, ReloadHooks? hooks = null,
        LogBuffers? logBuffers = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ContentRootPath = Path.GetDirectoryName(config.SourcePath),
            // Resolved by the same code as the release validator's, so 'validate' loads apps in the environment they serve in.
            EnvironmentName = HostEnvironmentName.Resolve(),
            Args = [],
        });
        builder.Logging.ClearProviders();
        builder.Services.AddSerilog(logger, dispose: false);
        builder.Services.AddSingleton(logger);
        builder.Services.AddSingleton(logBuffers ?? new LogBuffers());
        // Under systemd (Type=notify): READY=1 once the host has started, i.e. after the first generation loaded and
        // Kestrel listens; SIGTERM stops it. Does nothing when not run by systemd.
        builder.Services.AddSystemd();
        // SIGTERM/SIGINT: Kestrel stops accepting and lets in-flight requests finish for up to this long, then the
        // engine retires the last generation.
        builder.Services.Configure<HostOptions>(options => options.ShutdownTimeout = config.Server.ShutdownTimeout);
        if (SystemdSockets.Passed)
        {
            // Socket activation (deploy/pluginhost.socket): systemd owns the listening sockets and hands them over as
            // LISTEN_FDS; Kestrel serves on them (its own UseSystemd), and server.urls/admin.urls are not bound. The
            // sockets outlive the process, so a restart refuses no connection: they wait in the kernel's backlog.
            builder.WebHost.ConfigureKestrel(options => options.UseSystemd());
        }
        else
        {
            // The admin surface's own URLs (admin.urls) are always added: --urls replaces only the app URLs.
            builder.WebHost.UseUrls([.. urlsOverride is { Count: > 0 } ? urlsOverride : config.Server.Urls, .. config.Admin.Urls]);
        }

        builder.Services.AddPluginHost(config, hooks ?? DefaultHooks(config, logger));
        var app = builder.Build();
        app.UsePluginHost();
        return app;
    }

    /// <summary>
    /// Config reloads read config.yaml again; a release of the root that fails to load is marked bad in the release
    /// history, and the mark is cleared when it loads later.
    /// </summary>
    private static ReloadHooks DefaultHooks(HostConfig config, Serilog.ILogger logger)
    {
        var marks = new ReleaseMarks(config, new Serilog.Extensions.Logging.SerilogLoggerFactory(logger).CreateLogger<ReleaseMarks>());
        return new ReloadHooks(ConfigLoader.Load, marks.ReleaseFailed, marks.ReleaseLoaded);
    }
}
