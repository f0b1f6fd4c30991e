using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using PluginHost.Core.Configuration;

namespace PluginHost.Core.Workers;

/// <summary>How the host runs process apps' workers: its executable, their socket folder and the timings of config.yaml.</summary>
/// <param name="Launch">How to start the host executable as a worker; null when this host cannot (then process apps fail to load).</param>
/// <param name="ConfigPath">config.yaml, which the workers read their app's entry from.</param>
/// <param name="Workers">Probe, restart and socket settings.</param>
/// <param name="DrainTimeout">How long a replaced worker's requests may finish (reload.drainTimeout).</param>
/// <param name="StopTimeout">After SIGTERM, how long a worker may take to exit before SIGKILL (reload.unloadTimeout).</param>
public sealed record WorkerHosting(WorkerLaunch? Launch, string ConfigPath, WorkersConfig Workers, TimeSpan DrainTimeout, TimeSpan StopTimeout);

/// <summary>Starts one worker process for an app generation and waits until it serves.</summary>
public sealed class WorkerStarter(WorkerHosting hosting, WorkerRuntimeFolder folder, WorkerForwarder forwarder, TimeProvider timeProvider) : IDisposable
{
    /// <summary>A worker takes this long to start its runtime on top of the app's own warm-up.</summary>
    private static readonly TimeSpan StartAllowance = TimeSpan.FromSeconds(15);

    public WorkerHosting Hosting => hosting;
    public WorkerForwarder Forwarder => forwarder;
    public TimeProvider TimeProvider => timeProvider;

    public async Task<RunningWorker> StartAsync(AppConfig app, string releasePath, long generation, ILogger logger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(app);
        var launch = hosting.Launch ?? throw new WorkerStartException(
            "isolation: process needs the pluginhost executable to start workers, and this host was not started as it");
        var info = new WorkerStartInfo(hosting.ConfigPath, app.Name, releasePath, generation, folder.NewSocketPath(app.Name),
            RandomNumberGenerator.GetHexString(32), app.MemoryLimit);
        var process = WorkerProcess.Start(launch, info, logger, timeProvider);
        try
        {
            await process.WaitReadyAsync(app.WarmupTimeout + StartAllowance, timeProvider, cancellationToken);
        }
        catch
        {
            process.Kill();
            process.Dispose();
            throw;
        }

        return new RunningWorker(process, info.Key, hosting.Workers.ProbeTimeout);
    }

    public void Dispose() => folder.Dispose();
}
