using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging;
using PluginHost.Abstractions;
using PluginHost.Core.AspNetCoreApps;
using PluginHost.Core.Configuration;
using PluginHost.Core.Policy;
using PluginHost.Core.Releases;
using PluginHost.Core.Telemetry;
using PluginHost.Core.Workers;
using Serilog.Core.Enrichers;
using Serilog.Extensions.Logging;

namespace PluginHost.Core.Loading;

/// <summary>What every app container gets from the host.</summary>
/// <param name="LoggerFactory">The host's logger factory: app logs flow into the host's Serilog pipeline.</param>
/// <param name="DiagnosticListener">The host's listener; routing middleware needs one.</param>
/// <param name="EnvironmentName">Production, Development…</param>
/// <param name="Serilog">The host's Serilog logger; when given, each app gets a logger factory whose events carry App, Version and Generation.</param>
/// <param name="StateRoot">The folder (outside releases/) where each app keeps what must survive deploys: <c>&lt;root&gt;/&lt;app&gt;/</c>.</param>
public sealed record HostServices(ILoggerFactory LoggerFactory, DiagnosticListener DiagnosticListener, string EnvironmentName, Serilog.ILogger? Serilog = null, string? StateRoot = null)
{
    /// <summary>
    /// The logger factory of one app generation. Its events carry App, Version and Generation without any
    /// per-request work (a LogContext push per request measurably cost throughput), and the console's AppTag, made once.
    /// </summary>
    public ILoggerFactory LoggerFactoryFor(PluginContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return Serilog is null
            ? LoggerFactory
            : new SerilogLoggerFactory(Serilog.ForContext(
            [
                new PropertyEnricher("App", context.AppName),
                new PropertyEnricher("Version", context.Version),
                new PropertyEnricher("Generation", context.Generation),
                new PropertyEnricher(AppTag.PropertyName, AppTag.For(context.AppName, context.Version, context.Generation)),
            ]), dispose: false);
    }
}

/// <summary>Builds one app of one generation: load the code, build the app's container, build its pipeline.</summary>
/// <param name="workers">Starts the workers of process apps; null where there are none (e.g. 'validate', a worker itself).</param>
public sealed class AppInstanceFactory(HostServices hostServices, TimeProvider timeProvider, WorkerStarter? workers = null)
{
    public async Task<AppInstance> CreateAsync(AppConfig config, ResolvedRelease release, long generation, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(release);
        if (config.Isolation == AppIsolation.Process)
        {
            return CreateInWorker(config, release, generation);
        }

        var started = timeProvider.GetTimestamp();
        var assemblyPath = Path.Combine(release.Path, config.Assembly);
        var contentRoot = config.ContentRootIn(release.Path);
        var policy = AppRequestPolicy.Create(config, contentRoot, release.Path);
        LoadedPlugin plugin;
        try
        {
            plugin = PluginAssemblyLoader.Load(config.Name, assemblyPath, config.Kind, config.Collectible, config.Collectible && config.Jit == AppJit.Quick);
        }
        catch
        {
            policy.Dispose();
            throw;
        }

        try
        {
            var context = new PluginContext(config.Name, release.Version, generation, contentRoot, config.Mount, BuildSettings(config))
            {
                StateDirectory = AppState.Prepare(hostServices.StateRoot, config.Name, assemblyPath),
            };
            var loggerFactory = hostServices.LoggerFactoryFor(context);
            var parts = plugin.App is { } app
                ? BuildPlugin(config, plugin, app, context, assemblyPath, loggerFactory)
                : await AspNetCoreAppStarter.StartAsync(new AspNetCoreAppStart(config, plugin, context, assemblyPath, loggerFactory,
                    hostServices.EnvironmentName, services => AppState.AddDataProtection(services, context)), cancellationToken);
            var pipeline = policy.Wrap(parts.Pipeline, parts.Container.Provider, loggerFactory);
            return new AppInstance(config, context, plugin, parts.Container, parts.Lifecycle, pipeline, timeProvider.GetElapsedTime(started), policy);
        }
        catch (Exception ex)
        {
            plugin.Dispose();
            policy.Dispose();
            if (ex is OperationCanceledException cancelled)
            {
                throw new LoadCanceledException(plugin.Context, cancelled.CancellationToken);
            }

            throw PluginLoadException.Abandoning(ex, config.Name, assemblyPath, plugin.Context);
        }
    }

    /// <summary>
    /// A process app: its worker loads, warms and serves it; the host keeps the supervisor, authenticates (auth) and
    /// forwards. Static files are served by the worker, next to the app.
    /// </summary>
    private AppInstance CreateInWorker(AppConfig config, ResolvedRelease release, long generation)
    {
        var started = timeProvider.GetTimestamp();
        var assemblyPath = Path.Combine(release.Path, config.Assembly);
        var contentRoot = config.ContentRootIn(release.Path);
        var context = new PluginContext(config.Name, release.Version, generation, contentRoot, config.Mount, BuildSettings(config));
        var loggerFactory = hostServices.LoggerFactoryFor(context);
        if (workers is null)
        {
            throw new PluginLoadException(config.Name, assemblyPath, "isolation: process is not available here (no worker processes can be started)") { BlamesRelease = false };
        }

        var policy = AppRequestPolicy.Create(config with { Static = null }, contentRoot, release.Path);
        try
        {
            var (parts, supervisor) = ProcessAppStarter.Create(workers, config, release.Path, generation, loggerFactory);
            var pipeline = policy.Wrap(parts.Pipeline, parts.Container.Provider, loggerFactory);
            return new AppInstance(config, context, plugin: null, parts.Container, parts.Lifecycle, pipeline, timeProvider.GetElapsedTime(started), policy)
            {
                Worker = supervisor,
            };
        }
        catch
        {
            policy.Dispose();
            throw;
        }
    }

    private AppParts BuildPlugin(AppConfig config, LoadedPlugin plugin, IPluginApp app, PluginContext context, string assemblyPath, ILoggerFactory loggerFactory)
    {
        var services = BuildServices(config, plugin, context, assemblyPath, loggerFactory);
        var pipeline = BuildPipeline(config, plugin, context, services.Provider, assemblyPath);
        var lifecycle = new AppLifecycle(app, services.Provider, services.Provider.GetRequiredService<ApplicationLifetime>(), config.Name,
            loggerFactory.CreateLogger<AppLifecycle>());
        return new AppParts(services, lifecycle, pipeline);
    }

    private static IConfiguration BuildSettings(AppConfig config) =>
        new ConfigurationBuilder().AddInMemoryCollection(config.Settings).Build();

    private ServiceProviderHandle BuildServices(AppConfig config, LoadedPlugin plugin, PluginContext context, string assemblyPath, ILoggerFactory loggerFactory)
    {
        // As in an ordinary app, the application name is the main assembly's: MVC finds the app's controllers by it.
        var environment = new AppHostEnvironment(plugin.MainAssembly.GetName().Name!, context.ContentRoot, hostServices.EnvironmentName);
        var services = new ServiceCollection();
        services.AddSingleton(loggerFactory);
        services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
        services.AddSingleton(hostServices.DiagnosticListener);
        services.AddSingleton<DiagnosticSource>(hostServices.DiagnosticListener);
        services.AddSingleton<IWebHostEnvironment>(environment);
        services.AddSingleton<IHostEnvironment>(environment);
        services.AddSingleton<ApplicationLifetime>();
        services.AddSingleton<IHostApplicationLifetime>(sp => sp.GetRequiredService<ApplicationLifetime>());
        services.AddSingleton(context.Settings);
        services.AddSingleton(context);
        services.AddRouting();
        AppState.AddDataProtection(services, context);
        try
        {
            Invoke(config.Name, assemblyPath, plugin, nameof(IPluginApp.ConfigureServices), () => plugin.App!.ConfigureServices(services, context));
            return new ServiceProviderHandle(services.BuildServiceProvider(), environment);
        }
        catch
        {
            environment.Dispose();
            throw;
        }
    }

    private static Microsoft.AspNetCore.Http.RequestDelegate BuildPipeline(AppConfig config, LoadedPlugin plugin, PluginContext context, IServiceProvider services, string assemblyPath)
    {
        var builder = new ApplicationBuilder(services);
        Microsoft.AspNetCore.Http.RequestDelegate? pipeline = null;
        Invoke(config.Name, assemblyPath, plugin, nameof(IPluginApp.Configure), () =>
        {
            plugin.App!.Configure(builder, context);
            pipeline = builder.Build();
        });
        return pipeline!;
    }

    /// <summary>Calls into the app's code as its own: Assembly.Load by name (MVC's application parts) resolves in its context.</summary>
    private static void Invoke(string appName, string assemblyPath, LoadedPlugin plugin, string step, Action action)
    {
        try
        {
            using var scope = plugin.LoadContext.EnterContextualReflection();
            action();
        }
        catch (Exception ex)
        {
            // Settings from config.yaml that the app's options validation refuses are config's fault, not the release's.
            throw new PluginLoadException(appName, assemblyPath, $"{step} threw {ex.GetType().Name}: {PluginAssemblyLoader.FirstLine(ex.Message)}")
            {
                BlamesRelease = ex is not Microsoft.Extensions.Options.OptionsValidationException,
            };
        }
    }
}
