using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using PluginHost.Core.Configuration;
using PluginHost.Core.Status;

namespace PluginHost.Core.Workers;

/// <summary>How the host runs process apps' workers: its executable, their socket folder and the timings of config.yaml.</summary>
/// <param name="Launch">How to start the host executable as a worker; null when this host cannot (then process apps fail to load).</param>
/// <param name="ConfigPath">config.yaml, which the workers read their app's entry from.</param>
/// <param name="Workers">Probe, restart and socket settings.</param>
/// <param name="DrainTimeout">How long a replaced worker's requests may finish (reload.drainTimeout).</param>
/// <param name="StopTimeout">After SIGTERM, how long a worker may take to exit before SIGKILL (reload.unloadTimeout).</param>
public sealed record WorkerHosting(WorkerLaunch? Launch, string ConfigPath, WorkersConfig Workers, TimeSpan DrainTimeout, TimeSpan StopTimeout);

/// <summary>
/// Starts one worker process for an app generation and waits until it serves. A worker is taken from the spares when
/// there is one: processes started ahead, their runtime and engine already up, waiting to be told their app. Each worker
/// started (for a reload, a restart or a recycle) starts a spare for the next one once it is ready, up to one per process app.
/// </summary>
public sealed class WorkerStarter(WorkerHosting hosting, WorkerRuntimeFolder folder, WorkerForwarder forwarder, TimeProvider timeProvider,
    ILogger<WorkerStarter> logger) : IDisposable
{
    /// <summary>A worker takes this long to start its runtime on top of the app's own warm-up.</summary>
    private static readonly TimeSpan StartAllowance = TimeSpan.FromSeconds(15);
    private readonly ConcurrentQueue<WorkerProcess> _spares = new();
    private readonly ConcurrentDictionary<string, bool> _apps = new(StringComparer.OrdinalIgnoreCase);
    private readonly Lock _topUp = new();
    private volatile bool _disposed;

    public WorkerHosting Hosting => hosting;
    public WorkerForwarder Forwarder => forwarder;
    public TimeProvider TimeProvider => timeProvider;

    public async Task<RunningWorker> StartAsync(AppConfig app, string releasePath, long generation, ILogger appLogger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(app);
        var launch = hosting.Launch ?? throw new WorkerStartException(
            "isolation: process needs the pluginhost executable to start workers, and this host was not started as it");
        _apps.TryAdd(app.Name, true);
        WorkerProcess process;
        // A spare's environment was fixed when it started: an app with a heap limit gets a worker of its own.
        if (app.MemoryLimit is null && TakeSpare() is { } spare)
        {
            process = spare;
            process.Assign(app.Name, releasePath, generation, appLogger);
        }
        else
        {
            var info = new WorkerStartInfo(hosting.ConfigPath, app.Name, releasePath, generation, folder.NewSocketPath(app.Name),
                RandomNumberGenerator.GetHexString(32), app.MemoryLimit);
            process = WorkerProcess.Start(launch, info, appLogger, timeProvider);
        }

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
        finally
        {
            // Only now: a spare's start and rehearsal take a core, which the worker being waited for needs more.
            StartSpares(launch);
        }

        return new RunningWorker(process, hosting.Workers.ProbeTimeout);
    }

    /// <summary>The spares waiting for an app, and how many of them have rehearsed (a reload given one starts warm).</summary>
    public SparesStatus Spares()
    {
        var spares = _spares.ToArray();
        return new SparesStatus(spares.Count(s => !s.HasExited), spares.Count(s => s.IsSpareReady));
    }

    private WorkerProcess? TakeSpare()
    {
        while (_spares.TryDequeue(out var spare))
        {
            if (!spare.HasExited)
            {
                return spare;
            }

            spare.Dispose();
        }

        return null;
    }

    /// <summary>
    /// Tops the spares up to one per process app seen so far. One caller at a time: a reload and a supervisor's restart of
    /// another app may start workers at once, and two callers that both saw a spare missing would start one each.
    /// </summary>
    private void StartSpares(WorkerLaunch launch)
    {
        lock (_topUp)
        {
            while (!_disposed && _spares.Count < _apps.Count)
            {
                var info = new WorkerStartInfo(hosting.ConfigPath, "", "", 0, folder.NewSocketPath("spare"), RandomNumberGenerator.GetHexString(32));
                _spares.Enqueue(WorkerProcess.StartSpare(launch, info, logger, timeProvider));
            }
        }
    }

    public void Dispose()
    {
        _disposed = true;
        while (_spares.TryDequeue(out var spare))
        {
            spare.Dispose();
        }

        folder.Dispose();
    }
}
