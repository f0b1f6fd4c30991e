using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using PluginHost.Core.Admin;
using PluginHost.Core.Authentication;
using PluginHost.Core.Certificates;
using PluginHost.Core.Configuration;
using PluginHost.Core.Generations;
using PluginHost.Core.Loading;
using PluginHost.Core.Policy;
using PluginHost.Core.Reloading;
using PluginHost.Core.Routing;
using PluginHost.Core.Status;
using PluginHost.Core.Telemetry;
using PluginHost.Core.Unloading;
using PluginHost.Core.Unloading.LeakChains;
using PluginHost.Core.Workers;
using Yarp.ReverseProxy.Forwarder;

namespace PluginHost.Core.Hosting;

/// <summary>Wires the engine into an ASP.NET Core host.</summary>
public static class PluginHostExtensions
{
    /// <summary>The key UseAuthentication() sets in the builder's properties, which WebApplication checks.</summary>
    internal const string AuthenticationMiddlewareSetKey = "__AuthenticationMiddlewareSet";

    /// <param name="hooks">How reloads read config.yaml again, and who hears of a release that failed to load.</param>
    public static IServiceCollection AddPluginHost(this IServiceCollection services, HostConfig config, ReloadHooks hooks)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(hooks);
        services.AddSingleton(config);
        services.AddSingleton(hooks);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<CurrentGeneration>();
        services.AddSingleton(sp => new LeakExplainer(new LeakRootFinder(Path.Combine(config.State.Root, LeakRootFinder.DumpFolderName)),
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<LeakExplainer>>()));
        services.AddSingleton(sp => new UnloadTracker(sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<UnloadTracker>>(), config.Reload.UnloadTimeout,
            config.Reload.LeakDiagnostics ? sp.GetRequiredService<LeakExplainer>() : null));
        services.AddSingleton(sp => new UnloadHygiene(UnloadHygiene.Steps(config.Reload.SkipUnloadSteps, sp.GetRequiredService<LogBuffers>()), sp.GetRequiredService<ILogger<UnloadHygiene>>()));
        services.AddSingleton<RetiringGenerations>();
        services.AddSingleton(sp => new GenerationRetirer(sp.GetRequiredService<UnloadTracker>(), sp.GetRequiredService<UnloadHygiene>(),
            sp.GetRequiredService<RetiringGenerations>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<GenerationRetirer>>(),
            new RetirementOptions(config.Reload.DrainTimeout, config.Reload.LongLived, config.Reload.LongLivedMaxAge,
                TeardownDelay: RetirementOptions.HostTeardownDelay)));
        services.AddSingleton(sp => new HostServices(
            sp.GetRequiredService<ILoggerFactory>(),
            sp.GetRequiredService<DiagnosticListener>(),
            sp.GetRequiredService<IWebHostEnvironment>().EnvironmentName,
            sp.GetService<Serilog.ILogger>(),
            config.State.Root));
        // Process apps (apps[].isolation: process): the executable registers how to start itself as a worker.
        services.AddHttpForwarder();
        services.TryAddSingleton(new WorkerHosting(null, config.SourcePath, config.Workers, config.Reload.DrainTimeout, config.Reload.UnloadTimeout));
        services.AddSingleton(new WorkerRuntimeFolder(config.Workers));
        services.AddSingleton<WorkerForwarder>();
        services.AddSingleton<WorkerStarter>();
        services.AddSingleton<AppInstanceFactory>();
        services.AddSingleton<IGenerationBuilder, GenerationBuilder>();
        services.AddSingleton<IGenerationRetirer>(sp => sp.GetRequiredService<GenerationRetirer>());
        services.AddSingleton<StandbyGenerations>();
        services.AddSingleton<TrafficSplit>();
        services.AddSingleton<ReloadCoordinator>();
        services.AddSingleton(sp => new Debouncer(sp.GetRequiredService<TimeProvider>(), config.Reload.Debounce,
            (reason, seenAt) => sp.GetRequiredService<ReloadCoordinator>().RequestReload(reason, seenAt)));
        services.AddSingleton<ReloadWatcher>();
        services.AddSingleton<HealthReporter>();
        services.AddSingleton<StatusReporter>();
        // The executable registers the buffers of the sinks it set up; a host built without them reports none.
        services.TryAddSingleton<LogBuffers>();
        // The executable registers the certificates it loaded for the https URLs; without them there are none.
        services.TryAddSingleton(ServerCertificates.None);
        services.AddHostedService<CertificateRotation>();
        services.AddMetrics();
        services.AddSingleton<PluginHostMetrics>();
        services.AddSingleton<PrometheusExporter>();
        services.AddSingleton<RequestTelemetry>();
        services.AddSingleton<StatusPage>();
        services.AddSingleton(new AdminAccess(config.Admin, config.Server.ForwardedHeaders));
        services.AddSingleton<DeployEndpoints>();
        services.AddSingleton<AdminEndpoints>();
        services.AddSingleton(new AdminPorts(config.Admin));
        services.AddSingleton<AdminRouting>();
        AppAuthenticationSchemes.Register(services, config);
        services.AddSingleton<AuthFailureLimiter>();
        services.AddSingleton<AppConcurrencyLimits>();
        services.AddSingleton<RequestGate>();
        services.AddSingleton<PluginDispatcher>();
        // Before the engine's lifetime: started first, stopped last, so the drops of the final retire are reported too.
        services.AddHostedService<DroppedLogEventsReporter>();
        services.AddHostedService<PluginHostLifetime>();
        return services;
    }

    /// <summary>Admin surface first (on its own ports when admin.urls is set), then every other request goes to the app mounted on its path.</summary>
    public static IApplicationBuilder UsePluginHost(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var routing = app.ApplicationServices.GetRequiredService<AdminRouting>();
        // WebApplication puts UseAuthentication() in front of every request when authentication services are
        // registered (they are, for the apps' schemes) unless this property says it is already there. The host has no
        // default scheme (AppOnlySchemeProvider), so that middleware would only cost a scope and a scheme lookup per
        // request: RequestGate authenticates explicitly, and only for apps with auth.
        app.Properties[AuthenticationMiddlewareSetKey] = true;
        app.Use(next => routing.InvokeAsync);
        return app;
    }
}
