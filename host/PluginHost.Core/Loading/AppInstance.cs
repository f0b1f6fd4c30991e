using System.Runtime.Loader;
using Microsoft.AspNetCore.Http;
using PluginHost.Abstractions;
using PluginHost.Core.Configuration;
using PluginHost.Core.Policy;
using PluginHost.Core.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace PluginHost.Core.Loading;

/// <summary>
/// One app of one generation: its code, container, pipeline and lifecycle. Everything of the app that the host holds
/// hangs off this object, so dropping it (after <see cref="DisposeAsync"/>) lets the context be collected.
/// </summary>
public sealed class AppInstance : IAsyncDisposable
{
    private LoadedPlugin? _plugin;
    private IAppContainer? _services;
    private IAppLifecycle? _lifecycle;

    /// <param name="plugin">The app's code in its collectible context; null for a process app (its code runs in its worker).</param>
    internal AppInstance(AppConfig config, PluginContext context, LoadedPlugin? plugin, IAppContainer services, IAppLifecycle lifecycle,
        RequestDelegate pipeline, TimeSpan loadTime, AppRequestPolicy? policy = null)
    {
        Config = config;
        Context = context;
        _plugin = plugin;
        _services = services;
        _lifecycle = lifecycle;
        Pipeline = pipeline;
        LoadTime = loadTime;
        Policy = policy ?? AppRequestPolicy.None;
        ContextReference = plugin is { IsCollectible: true } ? plugin.Context : null;
        ScopeFactory = services.Provider.GetRequiredService<IServiceScopeFactory>();
        Logger = services.Provider.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(Routing.PluginDispatcher).FullName!);
    }

    /// <summary>Creates each request's scope of the app's container.</summary>
    public IServiceScopeFactory ScopeFactory { get; }

    /// <summary>The host's logger for this app's requests: its events carry App, Version and Generation.</summary>
    public ILogger Logger { get; }

    public AppConfig Config { get; }
    /// <summary>Authentication and static files the host enforces for this app (this generation's users file).</summary>
    public AppRequestPolicy Policy { get; }
    public PluginContext Context { get; }
    public string Name => Config.Name;
    public RequestDelegate Pipeline { get; private set; }
    public IServiceProvider Services => _services?.Provider ?? throw new ObjectDisposedException(Name);
    /// <summary>The app's context, weakly; null for a process app (it has none in the host) and in a worker (its context cannot unload).</summary>
    public WeakReference? ContextReference { get; }

    /// <summary>For a process app: its worker's supervisor.</summary>
    internal Workers.WorkerSupervisor? Worker { get; init; }
    public TimeSpan LoadTime { get; }
    public int AssemblyCount => _plugin?.AssemblyCount ?? 0;
    /// <summary>The requests the app is running now.</summary>
    public InFlightRequests Running { get; } = new();
    public long InFlight => Running.Count;
    public long Requests => Running.Total;

    /// <summary>What the unload hygiene needs to recognise this app's leftovers: its context and its root container.</summary>
    internal (AssemblyLoadContext Context, IServiceProvider Container)? Remains =>
        _plugin is { IsCollectible: true } plugin && _services is { } services ? (plugin.LoadContext, services.Provider) : null;

    /// <summary>Runs <paramref name="action"/> as the app's own code: Assembly.Load by name resolves in the app's context.</summary>
    internal async Task RunAsAppAsync(Func<Task> action)
    {
        if (ContextReference is null)
        {
            await action();
            return;
        }

        using var scope = _plugin?.LoadContext.EnterContextualReflection() ?? throw new ObjectDisposedException(Name);
        await action();
    }

    /// <summary>Starts the app's hosted services, before it takes any traffic (warm-up included).</summary>
    internal Task StartAsync(CancellationToken cancellationToken = default) =>
        (_lifecycle ?? throw new ObjectDisposedException(Name)).StartAsync(AssemblyPath, cancellationToken);

    /// <summary>After the warm-up: whether the app says it can serve.</summary>
    internal Task<bool> IsReadyAsync(CancellationToken cancellationToken) =>
        (_lifecycle ?? throw new ObjectDisposedException(Name)).IsReadyAsync(cancellationToken);

    /// <summary>The generation went live: ApplicationStarted.</summary>
    public void NotifyStarted() => _lifecycle?.NotifyStarted();

    /// <summary>The generation no longer gets new requests: ApplicationStopping.</summary>
    public void SignalStopping() => _lifecycle?.SignalStopping();

    /// <summary>Stops the app's hosted services (bounded by <c>apps[].stopTimeout</c>) and fires ApplicationStopped.</summary>
    public Task StopAsync(TimeProvider timeProvider) =>
        _lifecycle?.StopAsync(Config.StopTimeout, timeProvider) ?? Task.CompletedTask;

    internal string AssemblyPath => Path.Combine(Context.ContentRoot, Path.GetFileName(Config.Assembly));

    /// <summary>Disposes the app's container, then starts unloading its context.</summary>
    public async ValueTask DisposeAsync()
    {
        await DisposeServicesAsync();
        Unload();
    }

    /// <summary>Disposes the app's container; its context stays loaded (the unload hygiene still needs it).</summary>
    public async ValueTask DisposeServicesAsync()
    {
        Pipeline = static _ => throw new ObjectDisposedException("app generation retired");
        _lifecycle = null;
        if (Interlocked.Exchange(ref _services, null) is { } services)
        {
            await services.DisposeAsync();
        }
    }

    /// <summary>
    /// Starts unloading the app's context. Nothing may touch its assemblies or types after this: once unloading has
    /// started, the runtime may free them as soon as the last reference goes, even while the context object is held.
    /// </summary>
    public void Unload()
    {
        Interlocked.Exchange(ref _plugin, null)?.Dispose();
        Policy.Dispose();
        Running.Dispose();
    }
}
