using Microsoft.Extensions.Logging;
using PluginHost.Core.Configuration;
using PluginHost.Core.Loading;
using PluginHost.Core.Routing;
using PluginHost.Core.Unloading;
using PluginHost.Core.Unloading.LeakChains;

namespace PluginHost.Core.Generations;

/// <summary>Takes a generation out of service once its requests are done, and unloads it.</summary>
public interface IGenerationRetirer
{
    Task RetireAsync(Generation generation, CancellationToken cancellationToken = default);
}

/// <summary>How a retiring generation is let go.</summary>
/// <param name="DrainTimeout">How long its requests may finish (<c>reload.drainTimeout</c>).</param>
/// <param name="LongLived">Reconnect: tell apps at once and abort what is left at the drain timeout; keep: let long-lived connections run on.</param>
/// <param name="LongLivedMaxAge">In keep mode, how long long-lived connections may stay on the old generation.</param>
/// <param name="AbortGrace">After RequestAborted fired, how long a request may take to end before its connection is cut.</param>
/// <param name="TeardownDelay">
/// The earliest the teardown (stopping, disposing, the unload hygiene) may start after the generation retired, however fast
/// it drained; none when null. The host uses <see cref="HostTeardownDelay"/>.
/// </param>
public sealed record RetirementOptions(
    TimeSpan DrainTimeout, LongLivedMode LongLived = LongLivedMode.Reconnect, TimeSpan? LongLivedMaxAge = null, TimeSpan? AbortGrace = null,
    TimeSpan? TeardownDelay = null)
{
    /// <summary>
    /// A teardown right at the swap competes for the CPU with the new generation's first requests: on 2 cores it added
    /// 1.5–1.9 ms to the first answer after a prepared or built swap (bench section 11, two A/B pairs). A tenth of a second
    /// later it costs them nothing, and the retired generation holds its memory that much longer.
    /// </summary>
    public static readonly TimeSpan HostTeardownDelay = TimeSpan.FromMilliseconds(100);


    public TimeSpan MaxAge => LongLivedMaxAge ?? TimeSpan.FromHours(1);
    public TimeSpan Grace => AbortGrace ?? TimeSpan.FromSeconds(2);
}

/// <summary>
/// Retires a generation: tells its apps they are stopping, lets its requests finish (bounded; what is left is aborted,
/// and only once every request has ended does it go on), stops their hosted services, disposes their containers,
/// unloads the contexts, runs the unload hygiene and hands the contexts to the unload tracker. Nothing is ever disposed
/// under a running request.
/// </summary>
public sealed partial class GenerationRetirer(
    UnloadTracker tracker, UnloadHygiene hygiene, RetiringGenerations retiring, TimeProvider timeProvider, ILogger<GenerationRetirer> logger,
    RetirementOptions options) : IGenerationRetirer
{
    public async Task RetireAsync(Generation generation, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(generation);
        var entry = retiring.Add(generation, timeProvider.GetTimestamp());
        try
        {
            await DrainAsync(generation, entry, cancellationToken);
            await WaitForTeardownAsync(entry, cancellationToken);
            entry.State = RetirementState.Stopping;
            await RetireAppsAsync(generation.Apps, generation.Release.Version, generation.Number);
        }
        finally
        {
            retiring.Remove(entry);
        }
    }

    private async Task WaitForTeardownAsync(RetiringGeneration entry, CancellationToken cancellationToken)
    {
        var left = (options.TeardownDelay ?? TimeSpan.Zero) - timeProvider.GetElapsedTime(entry.Since);
        if (left > TimeSpan.Zero)
        {
            await Task.Delay(left, timeProvider, cancellationToken);
        }
    }

    private async Task DrainAsync(Generation generation, RetiringGeneration entry, CancellationToken cancellationToken)
    {
        var keep = options.LongLived == LongLivedMode.Keep;
        if (!keep)
        {
            SignalStopping(generation);
        }

        var drained = generation.RetireAsync();
        if (await EndsWithinAsync(drained, options.DrainTimeout, cancellationToken))
        {
            return;
        }

        if (keep)
        {
            // Tomcat-style: ordinary requests are cut at the drain timeout, long-lived connections may run on.
            Abort(generation, request => !request.IsLongLived);
            var rest = options.MaxAge - options.DrainTimeout;
            if (rest > TimeSpan.Zero && await EndsWithinAsync(drained, rest, cancellationToken))
            {
                return;
            }

            SignalStopping(generation);
        }

        entry.State = RetirementState.Aborting;
        Log.Aborting(logger, generation.Release.Version, generation.Number, generation.InFlight, (long)timeProvider.GetElapsedTime(entry.Since).TotalSeconds);
        Abort(generation, _ => true);
        // Only once the last request has ended may the containers go: nothing of the app may run on a disposed container.
        await drained.WaitAsync(cancellationToken);
    }

    private async Task<bool> EndsWithinAsync(Task drained, TimeSpan bound, CancellationToken cancellationToken)
    {
        try
        {
            await drained.WaitAsync(bound, timeProvider, cancellationToken);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    private static void SignalStopping(Generation generation)
    {
        foreach (var app in generation.Apps)
        {
            app.SignalStopping();
        }
    }

    private void Abort(Generation generation, Func<InFlightRequest, bool> which)
    {
        foreach (var app in generation.Apps)
        {
            foreach (var request in app.Running.Snapshot().Where(which))
            {
                Log.AbortingRequest(logger, app.Name, generation.Release.Version, generation.Number, request.Method, request.Path, (long)request.Age.TotalSeconds);
                request.Abort(options.Grace);
            }
        }
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

            if (app.ContextReference is { } reference)
            {
                retired.Add(new RetiredApp(app.Name, version, number, reference, timeProvider.GetTimestamp(), LoadContextId.Of(left?.Context)));
            }

            await DisposeAsync(app);
        }

        // Before the contexts start unloading: the hygiene reads their assemblies and types, which an unloading context
        // may free under it (that crashed the process with invalid type objects).
        if (remains.Count > 0)
        {
            CleanUp(remains, version, number);
        }

        foreach (var app in apps)
        {
            app.Unload();
        }

        tracker.Track(retired);
    }

    private async Task DisposeAsync(AppInstance app)
    {
        try
        {
            await app.DisposeServicesAsync();
        }
        catch (Exception ex)
        {
            Log.DisposeFailed(logger, app.Name, app.Context.Version, app.Context.Generation, ex.GetType().Name, PluginAssemblyLoader.FirstLine(ex.Message));
        }
    }

    /// <summary>
    /// Verifies that the context of an app that failed half-way through loading unloads as well. It is already unloading,
    /// so the hygiene cannot run on it (its types may be freed under it); at most its constructor and Configure ran.
    /// </summary>
    public void TrackAbandoned(string app, string version, long number, WeakReference context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var id = context.Target is System.Runtime.Loader.AssemblyLoadContext alive ? LoadContextId.Of(alive) : (long?)null;
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
            Message = "Release {Version} generation {Generation} still had {InFlight} requests {RetiredSeconds} s after it retired; aborting them (it unloads once they have ended)")]
        public static partial void Aborting(ILogger logger, string version, long generation, long inFlight, long retiredSeconds);

        [LoggerMessage(EventId = 23, EventName = "RequestAborting", Level = LogLevel.Warning,
            Message = "Aborting {Method} {Path} on {App} {Version} generation {Generation}, running for {AgeSeconds} s")]
        public static partial void AbortingRequest(ILogger logger, string app, string version, long generation, string method, string? path, long ageSeconds);

        [LoggerMessage(EventId = 21, EventName = "DisposeFailed", Level = LogLevel.Warning,
            Message = "Disposing {App} {Version} generation {Generation} threw {ExceptionType}: {Error}")]
        public static partial void DisposeFailed(ILogger logger, string app, string version, long generation, string exceptionType, string error);
    }
}
