using Microsoft.Extensions.Hosting;
using PluginHost.Core.Generations;
using PluginHost.Core.Reloading;

namespace PluginHost.Core.Hosting;

/// <summary>
/// Loads the first generation before Kestrel starts listening (a failure stops the host with its message),
/// starts watching for reload triggers, and on shutdown retires the last generation.
/// </summary>
internal sealed class PluginHostLifetime(ReloadCoordinator coordinator, ReloadWatcher watcher, Debouncer debouncer) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await coordinator.LoadFirstAsync(cancellationToken);
        FrameworkCacheScrubber.Prepare();
        watcher.Start();
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        watcher.Dispose();
        debouncer.Dispose();
        await coordinator.StopAsync();
    }
}
