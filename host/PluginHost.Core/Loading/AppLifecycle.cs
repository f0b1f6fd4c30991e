using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging;
using PluginHost.Abstractions;

namespace PluginHost.Core.Loading;

/// <summary>
/// What the generic host does for an ordinary app, done for one app generation: starts its hosted services before it
/// takes traffic, fires <see cref="IHostApplicationLifetime"/>'s Started when it goes live and Stopping when it retires,
/// stops its hosted services (last started, first stopped) and fires Stopped before its container is disposed.
/// </summary>
internal sealed partial class AppLifecycle(IPluginApp app, IServiceProvider services, ApplicationLifetime lifetime, string appName, ILogger logger)
    : IAppLifecycle
{
    private readonly List<IHostedService> _started = [];
    private int _stopped;

    /// <summary>Starts every hosted service in registration order; the first failure is thrown as the app's load failure.</summary>
    /// <remarks>
    /// The services get a token of their own that follows <paramref name="cancellationToken"/> only while they start:
    /// BackgroundService links its stopping token to the token it was started with, so the warm-up's token, cancelled
    /// once the warm-up is over, would stop every worker right after it started.
    /// </remarks>
    public async Task StartAsync(string assemblyPath, CancellationToken cancellationToken)
    {
        using var starting = new CancellationTokenSource();
        await using (cancellationToken.UnsafeRegister(static source => ((CancellationTokenSource)source!).Cancel(), starting))
        {
            await StartAllAsync(assemblyPath, starting.Token);
        }
    }

    private async Task StartAllAsync(string assemblyPath, CancellationToken cancellationToken)
    {
        var hosted = services.GetServices<IHostedService>().ToList();
        await EachAsync(hosted.OfType<IHostedLifecycleService>(), "StartingAsync", (s, ct) => s.StartingAsync(ct), assemblyPath, cancellationToken);
        foreach (var service in hosted)
        {
            await RunAsync(service, "StartAsync", s => s.StartAsync(cancellationToken), assemblyPath, cancellationToken);
            _started.Add(service);
        }

        await EachAsync(hosted.OfType<IHostedLifecycleService>(), "StartedAsync", (s, ct) => s.StartedAsync(ct), assemblyPath, cancellationToken);
    }

    public Task<bool> IsReadyAsync(CancellationToken cancellationToken) => app.IsReadyAsync(services, cancellationToken).AsTask();

    /// <summary>The generation serves: ApplicationStarted.</summary>
    public void NotifyStarted() => lifetime.NotifyStarted();

    /// <summary>The generation no longer gets new requests: ApplicationStopping (idempotent).</summary>
    public void SignalStopping() => lifetime.StopApplication();

    /// <summary>
    /// Stops the started hosted services in reverse order with a stopping token cancelled after <paramref name="timeout"/>,
    /// then fires ApplicationStopped. Failures are logged, never thrown: the generation is going away regardless.
    /// </summary>
    public async Task StopAsync(TimeSpan timeout, TimeProvider timeProvider)
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }

        SignalStopping();
        using var bounded = new CancellationTokenSource(timeout, timeProvider);
        var stopping = Enumerable.Reverse(_started).ToList();
        _started.Clear();
        await StopEachAsync(stopping.OfType<IHostedLifecycleService>(), "StoppingAsync", (s, ct) => s.StoppingAsync(ct), bounded.Token, timeout, timeProvider);
        await StopEachAsync(stopping, "StopAsync", (s, ct) => s.StopAsync(ct), bounded.Token, timeout, timeProvider);
        await StopEachAsync(stopping.OfType<IHostedLifecycleService>(), "StoppedAsync", (s, ct) => s.StoppedAsync(ct), bounded.Token, timeout, timeProvider);
        lifetime.NotifyStopped();
    }

    private async Task EachAsync<T>(IEnumerable<T> services, string step, Func<T, CancellationToken, Task> call, string assemblyPath, CancellationToken cancellationToken)
        where T : class
    {
        foreach (var service in services)
        {
            await RunAsync(service, step, s => call(s, cancellationToken), assemblyPath, cancellationToken);
        }
    }

    /// <summary>The app's exception is turned into a message only: its stack trace would keep the app's code alive.</summary>
    private async Task RunAsync<T>(T service, string step, Func<T, Task> call, string assemblyPath, CancellationToken cancellationToken)
        where T : class
    {
        try
        {
            await call(service);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new PluginLoadException(appName, assemblyPath,
                $"hosted service {service.GetType().FullName} failed to start ({step} threw {ex.GetType().Name}: {PluginAssemblyLoader.FirstLine(ex.Message)})");
        }
    }

    private async Task StopEachAsync<T>(IEnumerable<T> services, string step, Func<T, CancellationToken, Task> call,
        CancellationToken cancellationToken, TimeSpan timeout, TimeProvider timeProvider)
        where T : class
    {
        foreach (var service in services)
        {
            try
            {
                // An app that ignores its stopping token is not waited for beyond the bound.
                await call(service, cancellationToken).WaitAsync(timeout, timeProvider, CancellationToken.None);
            }
            catch (Exception ex)
            {
                Log.StopFailed(logger, appName, service.GetType().FullName, step, ex.GetType().Name, PluginAssemblyLoader.FirstLine(ex.Message));
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 22, EventName = "HostedServiceStopFailed", Level = LogLevel.Warning,
            Message = "{App}: hosted service {Service} did not stop cleanly ({Step} threw {ExceptionType}: {Error})")]
        public static partial void StopFailed(ILogger logger, string app, string? service, string step, string exceptionType, string error);
    }
}
