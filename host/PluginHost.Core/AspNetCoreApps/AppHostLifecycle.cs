using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using PluginHost.Core.Loading;

namespace PluginHost.Core.AspNetCoreApps;

/// <summary>
/// The lifecycle of an unmodified app's generation: its own host started it (hosted services, ApplicationStarted) before
/// the warm-up; once the generation has drained, StopApplication lets its Main's app.Run() return, which stops the
/// hosted services, fires Stopping and Stopped and disposes the host.
/// </summary>
internal sealed partial class AppHostLifecycle : IAppLifecycle, IAppContainer
{
    private readonly IHost _host;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly EntryPoint _entryPoint;
    private readonly string _appName;
    private readonly ILogger _logger;
    private int _stopping;

    public AppHostLifecycle(IHost host, IHostApplicationLifetime lifetime, EntryPoint entryPoint, string appName, ILogger logger)
    {
        (_host, _lifetime, _entryPoint, _appName, _logger) = (host, lifetime, entryPoint, appName, logger);
    }

    /// <summary>From now on the generation serves: a Main that ends before <see cref="StopAsync"/> is logged as an error.</summary>
    public void WatchMain() => _ = ReportEarlyExitAsync();

    public IServiceProvider Provider => _host.Services;

    public Task StartAsync(string assemblyPath, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<bool> IsReadyAsync(CancellationToken cancellationToken) => Task.FromResult(true);

    public void NotifyStarted()
    {
    }

    /// <summary>Stopping fires when the app's host stops (after the drain): firing it earlier would stop the host under its requests.</summary>
    public void SignalStopping()
    {
    }

    public async Task StopAsync(TimeSpan timeout, TimeProvider timeProvider)
    {
        Interlocked.Exchange(ref _stopping, 1);
        try
        {
            _lifetime.StopApplication();
        }
        catch (ObjectDisposedException)
        {
            // Its Main already ended and disposed the host.
        }

        try
        {
            if (await _entryPoint.Exited.WaitAsync(timeout, timeProvider) is { } failure)
            {
                Log.MainFailedWhileStopping(_logger, _appName, failure);
            }
        }
        catch (TimeoutException)
        {
            Log.MainDidNotReturn(_logger, _appName, timeout);
        }
    }

    /// <summary>The app's Main disposes its host when app.Run() returns; this covers a Main that never got there.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_host is IAsyncDisposable disposable)
        {
            await disposable.DisposeAsync();
        }
        else
        {
            _host.Dispose();
        }
    }

    private async Task ReportEarlyExitAsync()
    {
        var failure = await _entryPoint.Exited;
        if (Volatile.Read(ref _stopping) == 0)
        {
            Log.MainReturnedWhileServing(_logger, _appName, failure ?? "it returned");
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 11, EventName = "AppMainReturnedWhileServing", Level = LogLevel.Error,
            Message = "{App}: its Main ended while the generation was serving ({Cause}); its requests fail until the next reload")]
        public static partial void MainReturnedWhileServing(ILogger logger, string app, string cause);

        [LoggerMessage(EventId = 12, EventName = "AppMainDidNotReturn", Level = LogLevel.Warning,
            Message = "{App}: its Main did not return within {Timeout} of StopApplication; its host is disposed regardless")]
        public static partial void MainDidNotReturn(ILogger logger, string app, TimeSpan timeout);

        [LoggerMessage(EventId = 13, EventName = "AppMainFailedWhileStopping", Level = LogLevel.Warning,
            Message = "{App}: its Main failed while stopping: {Cause}")]
        public static partial void MainFailedWhileStopping(ILogger logger, string app, string cause);
    }
}
