using Microsoft.AspNetCore.HttpOverrides;
using PluginHost.Core.Admin;
using PluginHost.Core.Certificates;
using PluginHost.Core.Configuration;
using PluginHost.Core.Hosting;
using PluginHost.Core.Reloading;
using PluginHost.Core.Telemetry;
using PluginHost.Core.Workers;
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
        // The admin surface's own URLs (admin.urls) are always added: --urls replaces only the app URLs.
        string[] urls = [.. urlsOverride is { Count: > 0 } ? urlsOverride : config.Server.Urls, .. config.Admin.Urls];
        var certificates = LoadCertificates(config, urls, logger);
        builder.Services.AddSingleton(certificates);
        if (SystemdSockets.Passed)
        {
            // Socket activation (deploy/pluginhost.socket): systemd owns the listening sockets and hands them over as
            // LISTEN_FDS; Kestrel serves on them (its own UseSystemd), and server.urls/admin.urls are not bound. The
            // sockets outlive the process, so a restart refuses no connection: they wait in the kernel's backlog.
            builder.WebHost.ConfigureKestrel(options => options.UseSystemd(listen => KestrelEndpoints.ConfigurePassedSocket(listen, urls, certificates, config.Server)));
        }
        else
        {
            // Every URL becomes an endpoint of its own (https ones with the host's certificates); URLs from the environment
            // (ASPNETCORE_URLS, ASPNETCORE_HTTP_PORTS of container images) are not bound besides them.
            builder.WebHost.UseSetting(WebHostDefaults.ServerUrlsKey, "");
            builder.WebHost.UseSetting(WebHostDefaults.HttpPortsKey, "");
            builder.WebHost.UseSetting(WebHostDefaults.HttpsPortsKey, "");
            builder.WebHost.ConfigureKestrel(options => KestrelEndpoints.Listen(options, urls, certificates, config.Server));
        }

        // Process apps' workers are this executable started with the worker verb.
        builder.Services.AddSingleton(new WorkerHosting(WorkerLaunch.ForThisExecutable(typeof(HostApplication).Assembly.Location), config.SourcePath,
            config.Workers, config.Reload.DrainTimeout, config.Reload.UnloadTimeout));
        builder.Services.AddPluginHost(config, hooks ?? DefaultHooks(config, logger));
        var app = builder.Build();
        if (config.Server.ForwardedHeaders.KnownProxies.Count > 0)
        {
            // Before everything else, so that apps, the request log and the admin allow-list see the client a declared
            // proxy forwarded. Without declared proxies forwarded headers are not read at all. The direct peer of a request
            // with forwarding headers is kept first: the admin surface refuses them from a peer that is not declared.
            app.Use(DirectPeer.CaptureAsync);
            app.UseForwardedHeaders(ForwardedHeadersFrom(config.Server.ForwardedHeaders));
        }

        app.UsePluginHost();
        return app;
    }

    /// <summary>
    /// ASP.NET Core's forwarded-headers options for the declared proxies: X-Forwarded-For, -Proto and -Host, applied only
    /// when the direct peer (and each proxy before it in X-Forwarded-For) is one of them; its defaults (loopback) are
    /// replaced, not added to.
    /// </summary>
    internal static ForwardedHeadersOptions ForwardedHeadersFrom(ForwardedHeadersConfig forwarded)
    {
        var options = new ForwardedHeadersOptions
        {
            ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedHost,
            // A chain of declared proxies (a load balancer, then nginx) is walked back to the first address that is not one.
            ForwardLimit = null,
        };
        options.KnownProxies.Clear();
        options.KnownIPNetworks.Clear();
        foreach (var rule in forwarded.KnownProxies)
        {
            options.KnownIPNetworks.Add(AdminAccess.ParseNetwork(rule));
        }

        return options;
    }

    /// <summary>The certificates of the https URLs, read and checked now: a problem stops the start with one line each.</summary>
    private static ServerCertificates LoadCertificates(HostConfig config, IReadOnlyList<string> urls, Serilog.ILogger logger)
    {
        if (config.Server.Certificates.Count == 0)
        {
            var https = urls.Where(ListenUrl.IsHttps).Select(url =>
                new ConfigError(config.SourcePath, 0, "--urls", $"'{url}' is an https URL but there is no certificate: add server.certificate to the config file")).ToList();
            return https.Count == 0 ? ServerCertificates.None : throw new CertificateException(https);
        }

        var loggerFactory = new Serilog.Extensions.Logging.SerilogLoggerFactory(logger);
        return ServerCertificates.Load(config.Server.Certificates, TimeProvider.System, loggerFactory.CreateLogger<ServerCertificates>());
    }

    /// <summary>
    /// Config reloads read config.yaml again; a release of the root that fails to load is marked bad in the release
    /// history, and the mark is cleared when it loads later; a warm standby lasts while the history keeps its release the
    /// rollback target.
    /// </summary>
    private static ReloadHooks DefaultHooks(HostConfig config, Serilog.ILogger logger)
    {
        var marks = new ReleaseMarks(config, new Serilog.Extensions.Logging.SerilogLoggerFactory(logger).CreateLogger<ReleaseMarks>());
        return new ReloadHooks(ConfigLoader.Load, marks.ReleaseFailed, marks.ReleaseLoaded) { IsRollbackTarget = RollbackTargets.IsStillTarget };
    }
}
