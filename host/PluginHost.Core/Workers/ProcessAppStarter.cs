using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PluginHost.Core.Configuration;
using PluginHost.Core.Loading;

namespace PluginHost.Core.Workers;

/// <summary>
/// Builds a process app's generation in the host: no code of the app is loaded here, only a supervisor that starts the
/// generation's worker (which loads the app with the same loader, warms it and reports ready) and forwards to it.
/// </summary>
internal static class ProcessAppStarter
{
    /// <summary>The parts; the worker itself starts with the app's lifecycle (the warm-up starts it, as it starts a plugin's hosted services).</summary>
    public static (AppParts Parts, WorkerSupervisor Supervisor) Create(WorkerStarter starter, AppConfig config, string releasePath, long generation, ILoggerFactory loggerFactory)
    {
        var supervisor = new WorkerSupervisor(starter, config, releasePath, generation, loggerFactory.CreateLogger<WorkerSupervisor>());
        var services = new ServiceCollection().AddSingleton(loggerFactory).BuildServiceProvider();
        return (new AppParts(new HostSideContainer(services), supervisor, supervisor.InvokeAsync), supervisor);
    }

    /// <summary>What the host keeps for a process app: its logger factory, so request scopes and logs work as for any app.</summary>
    private sealed class HostSideContainer(ServiceProvider provider) : IAppContainer
    {
        public IServiceProvider Provider => provider;

        public ValueTask DisposeAsync() => provider.DisposeAsync();
    }
}
