using Microsoft.Extensions.Logging;
using PluginHost.Core.Loading;

namespace PluginHost.Core.Generations;

/// <summary>Takes a generation out of service once its requests are done, and unloads it.</summary>
public interface IGenerationRetirer
{
    Task RetireAsync(Generation generation, CancellationToken cancellationToken = default);
}

/// <summary>
/// Retires a generation: waits (bounded) for its in-flight requests, disposes every app's container,
/// unloads the contexts, scrubs framework caches and hands the contexts to the unload tracker.
/// </summary>
public sealed partial class GenerationRetirer(UnloadTracker tracker, TimeProvider timeProvider, ILogger<GenerationRetirer> logger, TimeSpan drainTimeout) : IGenerationRetirer
{
    public async Task RetireAsync(Generation generation, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(generation);
        var drained = generation.RetireAsync();
        try
        {
            await drained.WaitAsync(drainTimeout, timeProvider, cancellationToken);
        }
        catch (TimeoutException)
        {
            Log.DrainTimedOut(logger, generation.Release.Version, generation.Number, generation.InFlight, (long)drainTimeout.TotalSeconds);
        }

        await DisposeAndTrackAsync(generation.Apps, generation.Release.Version, generation.Number);
    }

    /// <summary>Disposes apps (of a retired or half-built generation) and verifies that their contexts unload.</summary>
    public async Task DisposeAndTrackAsync(IReadOnlyList<AppInstance> apps, string version, long number)
    {
        var retired = new List<RetiredApp>(apps.Count);
        foreach (var app in apps)
        {
            retired.Add(new RetiredApp(app.Name, version, number, app.ContextReference, timeProvider.GetTimestamp()));
            try
            {
                await app.DisposeAsync();
            }
            catch (Exception ex)
            {
                Log.DisposeFailed(logger, app.Name, version, number, ex.GetType().Name, PluginAssemblyLoader.FirstLine(ex.Message));
            }
        }

        FrameworkCacheScrubber.Scrub();
        tracker.Track(retired);
    }

    /// <summary>Verifies that the context of an app that failed half-way through loading unloads as well.</summary>
    public void TrackAbandoned(string app, string version, long number, WeakReference context)
    {
        FrameworkCacheScrubber.Scrub();
        tracker.Track([new RetiredApp(app, version, number, context, timeProvider.GetTimestamp())]);
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
