using Microsoft.Extensions.Hosting;

namespace PluginHost.Core.AspNetCoreApps;

/// <summary>
/// The lifetime an unmodified app's host gets instead of the console one: the generation, not Ctrl+C or SIGTERM,
/// decides when the app stops (the host process has its own), and nothing is printed to the console.
/// </summary>
internal sealed class GenerationHostLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
