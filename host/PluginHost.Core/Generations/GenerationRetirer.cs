using Microsoft.Extensions.Logging;
using PluginHost.Core.Loading;
using PluginHost.Core.Unloading;
using PluginHost.Core.Unloading.LeakChains;

namespace PluginHost.Core.Generations;

/// <summary>Takes a generation out of service once its requests are done, and unloads it.</summary>
public interface IGenerationRetirer
{
    Task RetireAsync(Generation generation, CancellationToken cancellationToken = default);
}

/// <summary>
/// Retires a generation: tells its apps they are stopping, waits (bounded) for its in-flight requests, stops their hosted
/// services, disposes their containers, unloads the contexts, runs the unload hygiene and hands the contexts to the
/// unload tracker.
/// </summary>
public sealed partial class GenerationRetirer(UnloadTracker tracker, UnloadHygiene hygiene, TimeProvider timeProvider, ILogger<GenerationRetirer> logger, TimeSpan drainTimeout)
    : IGenerationRetirer
{
    public async Task RetireAsync(Generation generation, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(generation);
        foreach (var app in generation.Apps)
        {
            app.SignalStopping();
        }

        var drained = generation.RetireAsync();
        try
        {
            await drained.WaitAsync(drainTimeout, timeProvider, cancellationToken);
        }
        catch (TimeoutException)
        {
            Log.DrainTimedOut(logger, generation.Release.Version, generation.Number, generation.InFlight, (long)drainTimeout.TotalSeconds);
        }

        await RetireAppsAsync(generation.Apps, generation.Release.Version, generation.Number);
    }

    /// <summary>
    /// Stops and disposes apps (of a retired or half-built generation), cleans up what they left behind and verifies
    /// that their contexts unload.
    /// </summary>
    public async Task RetireAppsAsync(IReadOnlyList<AppInstance> apps, string version, long number)
    {
        ArgumentNullException.ThrowIfNull(apps);
        await Task.WhenAll(apps.Select(app => app.StopAsync(timeProvider)));
        var retired = new List<RetiredApp>(apps.Count);
        var remains = new List<RetiringApp>(apps.Count);
        foreach (var app in apps)
        {
            var left = app.Remains;
            if (left is not null)
            {
                remains.Add(new RetiringApp(app.Name, left.Value.Context, left.Value.Container));
            }

            retired.Add(new RetiredApp(app.Name, version, number, app.ContextReference, timeProvider.GetTimestamp(), LoadContextId.Of(left?.Context)));
            try
            {
                await app.DisposeAsync();
            }
            catch (Exception ex)
            {
                Log.DisposeFailed(logger, app.Name, version, number, ex.GetType().Name, PluginAssemblyLoader.FirstLine(ex.Message));
            }
        }

        CleanUp(remains, version, number);
        tracker.Track(retired);
    }

    /// <summary>Verifies that the context of an app that failed half-way through loading unloads as well.</summary>
    public void TrackAbandoned(string app, string version, long number, WeakReference context)
    {
        ArgumentNullException.ThrowIfNull(context);
        long? id = null;
        if (context.Target is System.Runtime.Loader.AssemblyLoadContext alive)
        {
            id = LoadContextId.Of(alive);
            CleanUp([new RetiringApp(app, alive, Container: null)], version, number);
        }

        tracker.Track([new RetiredApp(app, version, number, context, timeProvider.GetTimestamp(), id)]);
    }

    /// <summary>Runs the hygiene, then lets go of the strong references it needed.</summary>
    private void CleanUp(List<RetiringApp> remains, string version, long number)
    {
        hygiene.Run(remains, version, number);
        remains.Clear();
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 20, EventName = "DrainTimedOut", Level = LogLevel.Warning,
            Message = "Release {Version} generation {Generation} still had {InFlight} requests after the drain timeout of {DrainSeconds} s; unloading anyway")]
        public static partial void DrainTimedOut(ILogger logger, string version, long generation, long inFlight, long drainSeconds);

        [LoggerMessage(EventId = 21, EventName = "DisposeFailed", Level = LogLevel.Warning,
            Message = "Disposing {App} {Version} generation {Generation} threw {ExceptionType}: {Error}")]
        public static partial void DisposeFailed(ILogger logger, string app, string version, long generation, string exceptionType, string error);
    }
}
