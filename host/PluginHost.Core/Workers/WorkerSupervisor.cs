using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using PluginHost.Core.Configuration;
using PluginHost.Core.Loading;
using PluginHost.Core.Status;

namespace PluginHost.Core.Workers;

/// <summary>
/// The lifecycle and request path of one process app generation: its worker process, replaced without a failed request
/// when it is recycled (<c>recycle.maxRequests</c>, <c>recycle.maxMemory</c>) or stops answering its probe, and restarted
/// with back-off when it dies (only the requests it was running fail, with 502). Replacements start the new worker, wait
/// until it serves, swap, let the old one's requests finish, then stop it.
/// </summary>
internal sealed partial class WorkerSupervisor(WorkerStarter starter, AppConfig app, string releasePath, long generation, ILogger logger) : IAppLifecycle
{
    private const int ProbeFailuresBeforeReplace = 3;
    private static readonly TimeSpan FirstRestartDelay = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan StableUptime = TimeSpan.FromSeconds(30);
    private readonly SemaphoreSlim _replacing = new(1, 1);
    private readonly CancellationTokenSource _watching = new();
    private readonly WorkerHosting _hosting = starter.Hosting;
    private readonly TimeProvider _time = starter.TimeProvider;
    private RunningWorker? _current;
    private RunningWorker? _reportedDead;
    private Task _watch = Task.CompletedTask;
    private int _restarts;
    private int _recycles;
    private int _restartStreak;
    private volatile bool _stopping;

    /// <summary>The app's pipeline: forwards to the current worker (503 while a dead one is being restarted).</summary>
    public async Task InvokeAsync(HttpContext context)
    {
        while (true)
        {
            var worker = Volatile.Read(ref _current);
            if (worker is null || worker.Process.HasExited)
            {
                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                context.Response.Headers.RetryAfter = "1";
                return;
            }

            if (!worker.Requests.TryEnter())
            {
                continue; // Replaced meanwhile: its successor is already current.
            }

            try
            {
                await starter.Forwarder.ForwardAsync(context, worker);
            }
            finally
            {
                worker.Requests.Exit();
            }

            if (worker.CountRequest() == app.Recycle?.MaxRequests)
            {
                _ = ReplaceAsync(worker, $"it served {worker.Served} requests (recycle.maxRequests)", recycle: true);
            }

            return;
        }
    }

    public WorkerStatus Status()
    {
        var worker = Volatile.Read(ref _current);
        var alive = worker is { Process.HasExited: false };
        return new WorkerStatus(
            alive ? worker!.Process.Pid : null,
            alive ? worker!.Process.ResidentBytes() : null,
            alive ? (long)(_time.GetUtcNow() - worker!.Process.StartedAt).TotalSeconds : null,
            Volatile.Read(ref _restarts),
            Volatile.Read(ref _recycles),
            worker?.Served ?? 0,
            alive ? "serving" : _stopping ? "stopped" : "restarting");
    }

    public async Task StartAsync(string assemblyPath, CancellationToken cancellationToken)
    {
        if (_current is not null)
        {
            throw new InvalidOperationException($"{app.Name}: its worker was already started");
        }

        try
        {
            _current = await starter.StartAsync(app, releasePath, generation, logger, cancellationToken);
        }
        catch (WorkerStartException ex)
        {
            throw new PluginLoadException(app.Name, assemblyPath, ex.Message);
        }
    }

    /// <summary>
    /// The worker answered its probe: its generation serves. It said it was ready a moment ago, so this first request only
    /// proves the socket path; it gets the app's warm-up time rather than the watch's short probe timeout (a busy machine
    /// took longer than a second over the first connection and request).
    /// </summary>
    public Task<bool> IsReadyAsync(CancellationToken cancellationToken) =>
        Volatile.Read(ref _current) is { } worker ? ProbeAsync(worker, app.WarmupTimeout, cancellationToken) : Task.FromResult(false);

    public void NotifyStarted() => _watch = Task.Run(() => WatchAsync(_watching.Token), CancellationToken.None);

    /// <summary>The worker's app hears ApplicationStopping when the worker gets SIGTERM, after the host drained.</summary>
    public void SignalStopping()
    {
    }

    /// <summary>Stops watching, then the worker: SIGTERM, SIGKILL after reload.unloadTimeout.</summary>
    public async Task StopAsync(TimeSpan timeout, TimeProvider timeProvider)
    {
        _stopping = true;
        await _watching.CancelAsync();
        await _watch;
        await _replacing.WaitAsync();
        try
        {
            if (Interlocked.Exchange(ref _current, null) is { } worker)
            {
                await RetireAsync(worker, kill: false);
            }
        }
        finally
        {
            _replacing.Release();
        }
    }

    private async Task WatchAsync(CancellationToken cancellationToken)
    {
        var failedProbes = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var worker = Volatile.Read(ref _current);
                if (worker is null || worker.Process.HasExited)
                {
                    await RestartAsync(worker, cancellationToken);
                    failedProbes = 0;
                    continue;
                }

                await Task.WhenAny(Task.Delay(_hosting.Workers.ProbeInterval, _time, cancellationToken), worker.Process.Exited);
                if (cancellationToken.IsCancellationRequested || worker.Process.HasExited)
                {
                    continue;
                }

                failedProbes = await ProbeAsync(worker, cancellationToken) ? 0 : failedProbes + 1;
                if (failedProbes >= ProbeFailuresBeforeReplace)
                {
                    failedProbes = 0;
                    await ReplaceAsync(worker, $"it did not answer {ProbeFailuresBeforeReplace} readiness probes in a row", recycle: false, kill: true);
                }
                else if (app.Recycle?.MaxMemory is { } max && worker.Process.ResidentBytes() is { } rss && rss > max)
                {
                    await ReplaceAsync(worker, $"its resident memory {rss / 1048576} MiB is over recycle.maxMemory {max / 1048576} MiB", recycle: true);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
            }
            catch (Exception ex)
            {
                Log.WatchFailed(logger, app.Name, ex.GetType().Name, ex.Message);
            }
        }
    }

    /// <summary>A worker that died: logged with its exit status, then started again after a back-off.</summary>
    private async Task RestartAsync(RunningWorker? dead, CancellationToken cancellationToken)
    {
        var delay = RestartDelay(dead);
        if (dead is not null && !ReferenceEquals(dead, _reportedDead))
        {
            _reportedDead = dead;
            var code = await dead.Process.Exited;
            Interlocked.Increment(ref _restarts);
            Log.Died(logger, app.Name, dead.Process.Pid, WorkerProcess.DescribeExit(code), dead.Requests.InFlight, delay.TotalSeconds);
        }

        await Task.Delay(delay, _time, cancellationToken);
        await _replacing.WaitAsync(cancellationToken);
        try
        {
            if (_stopping || !ReferenceEquals(Volatile.Read(ref _current), dead))
            {
                return;
            }

            var next = await starter.StartAsync(app, releasePath, generation, logger, cancellationToken);
            Volatile.Write(ref _current, next);
            Log.Restarted(logger, app.Name, next.Process.Pid);
            if (dead is not null)
            {
                _ = RetireAsync(dead, kill: true);
            }
        }
        catch (WorkerStartException ex)
        {
            Log.RestartFailed(logger, app.Name, ex.Message);
        }
        finally
        {
            _replacing.Release();
        }
    }

    /// <summary>Half a second, doubling while workers keep dying young, up to workers.maxRestartDelay.</summary>
    private TimeSpan RestartDelay(RunningWorker? dead)
    {
        var young = dead is null || _time.GetUtcNow() - dead.Process.StartedAt < StableUptime;
        _restartStreak = young ? Math.Min(_restartStreak + 1, 16) : 1;
        var delay = FirstRestartDelay * Math.Pow(2, _restartStreak - 1);
        return delay < _hosting.Workers.MaxRestartDelay ? delay : _hosting.Workers.MaxRestartDelay;
    }

    /// <summary>Starts a successor, swaps it in once it serves, then retires <paramref name="old"/>; if the successor fails, the old one serves on.</summary>
    private async Task ReplaceAsync(RunningWorker old, string reason, bool recycle, bool kill = false)
    {
        await _replacing.WaitAsync();
        try
        {
            if (_stopping || !ReferenceEquals(Volatile.Read(ref _current), old))
            {
                return;
            }

            Log.Replacing(logger, app.Name, old.Process.Pid, reason);
            RunningWorker next;
            try
            {
                next = await starter.StartAsync(app, releasePath, generation, logger, _watching.Token);
            }
            catch (Exception ex) when (ex is WorkerStartException or OperationCanceledException)
            {
                Log.ReplaceFailed(logger, app.Name, old.Process.Pid, ex.Message);
                return;
            }

            Volatile.Write(ref _current, next);
            if (recycle)
            {
                Interlocked.Increment(ref _recycles);
            }

            Log.Replaced(logger, app.Name, old.Process.Pid, next.Process.Pid);
            _ = RetireAsync(old, kill);
        }
        finally
        {
            _replacing.Release();
        }
    }

    /// <summary>No new request goes to <paramref name="worker"/>; its requests finish (bounded by reload.drainTimeout), then it is stopped.</summary>
    private async Task RetireAsync(RunningWorker worker, bool kill)
    {
        var drained = worker.Requests.RetireAsync();
        if (kill)
        {
            worker.Process.Kill();
        }
        else
        {
            await Task.WhenAny(drained, Task.Delay(_hosting.DrainTimeout, _time));
        }

        await worker.Process.StopAsync(_hosting.StopTimeout, _time);
        worker.Dispose();
    }

    private Task<bool> ProbeAsync(RunningWorker worker, CancellationToken cancellationToken) =>
        ProbeAsync(worker, _hosting.Workers.ProbeTimeout, cancellationToken);

    private async Task<bool> ProbeAsync(RunningWorker worker, TimeSpan bound, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(bound);
        using var request = WorkerHttp.Get("http://worker" + WorkerProtocol.ReadyPath, worker.Key);
        try
        {
            using var response = await worker.Client.SendAsync(request, timeout.Token);
            return response.IsSuccessStatusCode;
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 132, EventName = "WorkerDied", Level = LogLevel.Error,
            Message = "{App} worker {WorkerPid} died with {ExitStatus} ({InFlight} requests failed with it); restarting in {DelaySeconds} s")]
        public static partial void Died(ILogger logger, string app, int workerPid, string exitStatus, long inFlight, double delaySeconds);

        [LoggerMessage(EventId = 133, EventName = "WorkerRestarted", Level = LogLevel.Information, Message = "{App} worker {WorkerPid} restarted and serving")]
        public static partial void Restarted(ILogger logger, string app, int workerPid);

        [LoggerMessage(EventId = 134, EventName = "WorkerRestartFailed", Level = LogLevel.Error, Message = "{App}: restarting its worker failed: {Error}")]
        public static partial void RestartFailed(ILogger logger, string app, string error);

        [LoggerMessage(EventId = 135, EventName = "WorkerReplacing", Level = LogLevel.Information, Message = "{App} worker {WorkerPid} is being replaced: {Reason}")]
        public static partial void Replacing(ILogger logger, string app, int workerPid, string reason);

        [LoggerMessage(EventId = 136, EventName = "WorkerReplaced", Level = LogLevel.Information, Message = "{App} worker {OldPid} replaced by {WorkerPid}")]
        public static partial void Replaced(ILogger logger, string app, int oldPid, int workerPid);

        [LoggerMessage(EventId = 137, EventName = "WorkerReplaceFailed", Level = LogLevel.Error,
            Message = "{App}: the successor of worker {WorkerPid} failed to start, so it serves on: {Error}")]
        public static partial void ReplaceFailed(ILogger logger, string app, int workerPid, string error);

        [LoggerMessage(EventId = 138, EventName = "WorkerWatchFailed", Level = LogLevel.Error, Message = "{App}: watching its worker failed: {ExceptionType}: {Error}")]
        public static partial void WatchFailed(ILogger logger, string app, string exceptionType, string error);
    }
}
