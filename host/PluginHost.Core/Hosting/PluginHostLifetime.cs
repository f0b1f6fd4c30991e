using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using PluginHost.Core.Configuration;
using PluginHost.Core.Generations;
using PluginHost.Core.Reloading;
using PluginHost.Core.Unloading;

namespace PluginHost.Core.Hosting;

/// <summary>
/// Loads the first generation before Kestrel starts listening (a failure stops the host with its message),
/// starts watching for reload triggers, and on shutdown retires the last generation and waits for the unload tracker's
/// verdict on every retired context, so the process does not exit before the unloads are verified and logged.
/// </summary>
/// <remarks>
/// Stopped after Kestrel (hosted services stop in reverse order, and the server is started last): by then Kestrel has
/// let in-flight requests finish or, after <c>server.shutdownTimeout</c>, aborted them. The wait for the tracker is bounded
/// by the tracker itself: a context still alive after <c>reload.unloadTimeout</c> is declared leaked.
/// </remarks>
internal sealed partial class PluginHostLifetime(ReloadCoordinator coordinator, ReloadWatcher watcher, Debouncer debouncer, CurrentGeneration current,
    UnloadTracker tracker, UnloadHygiene hygiene, HostConfig config, IHostApplicationLifetime hostLifetime, ILogger<PluginHostLifetime> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        Log.RuntimeGuard(logger, VirtualDispatchCacheGuard.EnsureApplied());
        if (ThreadExitGuard.Check() is var (keptAlive, threadExits) && keptAlive)
        {
            Log.RuntimeGuard(logger, threadExits);
        }
        else
        {
            Log.RuntimeGuardMissing(logger, threadExits);
        }

        await coordinator.LoadFirstAsync(cancellationToken);
        await coordinator.ResumeCanaryAsync(cancellationToken);
        // SIGTERM: the serving generation hears ApplicationStopping before Kestrel waits for open connections, so apps close
        // their streams (WebSockets with 1001) and the host can exit as soon as they have.
        hostLifetime.ApplicationStopping.Register(() =>
        {
            foreach (var app in current.Value?.Apps ?? [])
            {
                app.SignalStopping();
            }
        });
        if (config.Apps.Any(app => app.Collectible && app.Isolation == AppIsolation.InProcess))
        {
            _ = hygiene.PrepareAsync();
        }

        coordinator.BeforeInputsRead = watcher.Rebase;
        watcher.Start();
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        watcher.Dispose();
        debouncer.Dispose();
        var served = Served();
        var collectedBefore = tracker.CollectedCount;
        await coordinator.StopAsync();
        await tracker.WhenSettledAsync();
        var unloaded = tracker.CollectedCount - collectedBefore;
        var alive = tracker.Alive.Count;
        if (served is null)
        {
            Log.StoppedWithoutGeneration(logger, unloaded, alive);
        }
        else
        {
            Log.Stopped(logger, served.Value.Version, served.Value.Number, unloaded, alive);
        }
    }

    /// <summary>Only the names: holding the Generation itself across the awaits of StopAsync would keep its contexts alive.</summary>
    private (string Version, long Number)? Served() =>
        current.Value is { } generation ? (generation.Release.Version, generation.Number) : null;

    private static partial class Log
    {
        [LoggerMessage(EventId = 80, EventName = "HostStopped", Level = LogLevel.Information,
            Message = "Stopped: retired {Version} generation {Generation}; {UnloadedCount} app context(s) unloaded, {AliveCount} still alive")]
        public static partial void Stopped(ILogger logger, string version, long generation, long unloadedCount, int aliveCount);

        [LoggerMessage(EventId = 81, EventName = "HostStoppedWithoutGeneration", Level = LogLevel.Information,
            Message = "Stopped: no generation was served; {UnloadedCount} app context(s) unloaded, {AliveCount} still alive")]
        public static partial void StoppedWithoutGeneration(ILogger logger, long unloadedCount, int aliveCount);

        [LoggerMessage(EventId = 82, EventName = "RuntimeGuard", Level = LogLevel.Information, Message = "Runtime: {Guard}")]
        public static partial void RuntimeGuard(ILogger logger, string guard);

        [LoggerMessage(EventId = 83, EventName = "RuntimeGuardMissing", Level = LogLevel.Warning, Message = "Runtime: {Guard}")]
        public static partial void RuntimeGuardMissing(ILogger logger, string guard);
    }
}
