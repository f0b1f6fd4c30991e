using System.Diagnostics;
using System.Diagnostics.Metrics;
using PluginHost.Core.Certificates;
using PluginHost.Core.Generations;
using PluginHost.Core.Reloading;
using PluginHost.Core.Routing;

namespace PluginHost.Core.Telemetry;

/// <summary>
/// The host's instruments on <c>Meter "PluginHost"</c>: requests and their duration per app and status class,
/// reloads and their duration per result, gauges read from the serving generation and the unload tracker, and the log
/// sinks' buffers (events waiting, events dropped), and the time left on each TLS certificate.
/// Instruments are created once; recording a request builds a <see cref="TagList"/> on the stack and allocates nothing.
/// </summary>
public sealed class PluginHostMetrics
{
    public const string MeterName = "PluginHost";

    /// <summary>App tag of requests answered by the admin surface.</summary>
    public const string AdminApp = "(admin)";

    /// <summary>App tag of requests no app is mounted for, or that arrived while nothing was served.</summary>
    public const string NoApp = "(none)";

    private static readonly string[] StatusClasses = ["1xx", "2xx", "3xx", "4xx", "5xx"];

    private static readonly double[] RequestBuckets =
        [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

    private static readonly double[] ReloadBuckets = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

    private readonly Counter<long> _requests;
    private readonly Histogram<double> _requestDuration;
    private readonly Counter<long> _reloads;
    private readonly Histogram<double> _reloadDuration;
    private readonly Counter<long> _swaps;

    public PluginHostMetrics(IMeterFactory meterFactory, CurrentGeneration current, UnloadTracker tracker, LogBuffers logBuffers,
        ServerCertificates? certificates = null, TrafficSplit? split = null)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(tracker);
        ArgumentNullException.ThrowIfNull(logBuffers);
        Meter = meterFactory.Create(MeterName);
        _requests = Meter.CreateCounter<long>("pluginhost.requests", "{request}", "Requests answered, per app and status class.");
        _requestDuration = Meter.CreateHistogram("pluginhost.request.duration", "s", "Time to answer a request, per app and status class.",
            tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = RequestBuckets });
        _reloads = Meter.CreateCounter<long>("pluginhost.reloads", "{reload}", "Loads and reloads of the production release, per result (ok, failed).");
        _reloadDuration = Meter.CreateHistogram("pluginhost.reload.duration", "s", "Time to build, warm up and swap in a generation, per result.",
            tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = ReloadBuckets });
        _swaps = Meter.CreateCounter<long>("pluginhost.swaps", "{swap}",
            "Generations swapped in, per kind: instant (a warm standby or prepared generation, nothing loaded) or built.");
        Meter.CreateObservableUpDownCounter("pluginhost.requests.in_flight", () => InFlight(current), "{request}",
            "Requests being answered by the serving generation, per app.");
        Meter.CreateObservableGauge("pluginhost.generations.alive", () => GenerationsAlive(current, tracker), "{generation}",
            "Generations in memory: the serving one plus retired ones not yet collected.");
        Meter.CreateObservableGauge("pluginhost.generations.leaked", () => Distinct(tracker.Leaked), "{generation}",
            "Retired generations still alive after reload.unloadTimeout: something outside them references their code.");
        Meter.CreateObservableCounter("pluginhost.generations.collected", () => tracker.CollectedCount, "{app}",
            "Retired app contexts verified as collected.");
        Meter.CreateObservableCounter("pluginhost.log.events.dropped", () => PerSink(logBuffers, b => b.Dropped), "{event}",
            "Log events dropped because a sink's buffer (logging.bufferSize) was full, per sink.");
        Meter.CreateObservableGauge("pluginhost.log.events.buffered", () => PerSink(logBuffers, b => b.Buffered), "{event}",
            "Log events waiting for their sink, per sink.");
        Meter.CreateObservableGauge("pluginhost.worker.memory", () => PerWorker(current, w => w.RssBytes), "By",
            "Resident memory of each process app's worker (apps[].isolation: process).");
        Meter.CreateObservableGauge("pluginhost.worker.uptime", () => PerWorker(current, w => w.UptimeSeconds), "s",
            "Seconds since each process app's worker started.");
        Meter.CreateObservableCounter("pluginhost.worker.restarts", () => PerWorker(current, w => w.Restarts), "{restart}",
            "Workers of the serving generation that died and were started again, per app.");
        Meter.CreateObservableCounter("pluginhost.worker.recycles", () => PerWorker(current, w => w.Recycles), "{recycle}",
            "Workers of the serving generation replaced for recycle.maxRequests or recycle.maxMemory, per app.");
        CreateCanaryInstruments(split ?? new TrafficSplit());
        Meter.CreateObservableGauge("pluginhost.certificate.expiry", (certificates ?? ServerCertificates.None).ExpiryMeasurements, "s",
            "Seconds until each served TLS certificate expires, per certificate file and host names: alert below 14 days.");
    }

    public Meter Meter { get; }

    /// <param name="aborted">Cut off (client gone, or aborted by the host): counted as status class <c>aborted</c>.</param>
    public void RequestCompleted(string app, int statusCode, TimeSpan elapsed, bool aborted = false)
    {
        var tags = new TagList { { "app", app }, { "status_class", aborted ? "aborted" : StatusClass(statusCode) } };
        _requests.Add(1, tags);
        _requestDuration.Record(elapsed.TotalSeconds, tags);
    }

    public void ReloadCompleted(ReloadResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var tags = new TagList { { "result", result.Ok ? "ok" : "failed" } };
        _reloads.Add(1, tags);
        _reloadDuration.Record(result.DurationMs / 1000.0, tags);
    }

    /// <param name="kind">One of <see cref="SwapKinds"/>: built counts as built, the others as instant.</param>
    public void SwapCompleted(string kind) =>
        _swaps.Add(1, new KeyValuePair<string, object?>("kind", kind == SwapKinds.Built ? "built" : "instant"));

    /// <summary>While a canary runs: its and production's traffic since it started, by role (stable, canary); nothing otherwise.</summary>
    private void CreateCanaryInstruments(TrafficSplit split)
    {
        Meter.CreateObservableCounter("pluginhost.canary.requests", () => PerRole(split, s => s.Requests), "{request}",
            "Requests answered during the running canary, per role: canary or stable.");
        Meter.CreateObservableCounter("pluginhost.canary.server_errors", () => PerRole(split, s => s.ServerErrors), "{request}",
            "Requests answered with a 5xx status during the running canary, per role.");
        Meter.CreateObservableCounter("pluginhost.canary.request.time", () => PerRole(split, s => s.Latency.TotalSeconds), "s",
            "Total time spent answering requests during the running canary, per role (divide by pluginhost_canary_requests_total for the mean).");
        Meter.CreateObservableGauge("pluginhost.canary.share", () => Share(split),
            "%", "Percent of new clients the running canary gets; absent without a canary.");
    }

    private static IEnumerable<Measurement<double>> Share(TrafficSplit split)
    {
        if (split.Active is { } route)
        {
            yield return new Measurement<double>(route.Target.Share);
        }
    }

    private static IEnumerable<Measurement<T>> PerRole<T>(TrafficSplit split, Func<CanarySideStats, T> value)
        where T : struct
    {
        if (split.Active is not { } route)
        {
            yield break;
        }

        yield return new Measurement<T>(value(route.Stats.Canary), new KeyValuePair<string, object?>("role", "canary"));
        yield return new Measurement<T>(value(route.Stats.Stable), new KeyValuePair<string, object?>("role", "stable"));
    }

    internal static string StatusClass(int statusCode) =>
        statusCode is >= 100 and < 600 ? StatusClasses[(statusCode / 100) - 1] : "other";

    private static IEnumerable<Measurement<long>> InFlight(CurrentGeneration current)
    {
        var generation = current.Value;
        if (generation is null)
        {
            yield break;
        }

        foreach (var app in generation.Apps)
        {
            yield return new Measurement<long>(app.InFlight, new KeyValuePair<string, object?>("app", app.Name));
        }
    }

    /// <summary>One measurement per process app of the serving generation, tagged with app, generation and worker pid.</summary>
    private static IEnumerable<Measurement<long>> PerWorker(CurrentGeneration current, Func<Status.WorkerStatus, long?> value)
    {
        var generation = current.Value;
        foreach (var app in generation?.Apps ?? [])
        {
            if (app.Worker?.Status() is { } worker && value(worker) is { } measured)
            {
                yield return new Measurement<long>(measured, new KeyValuePair<string, object?>("app", app.Name),
                    new KeyValuePair<string, object?>("generation", generation!.Number), new KeyValuePair<string, object?>("pid", worker.Pid));
            }
        }
    }

    private static IEnumerable<Measurement<long>> PerSink(LogBuffers logBuffers, Func<LogBufferStatus, long> value) =>
        logBuffers.Read().Select(buffer => new Measurement<long>(value(buffer), new KeyValuePair<string, object?>("sink", buffer.Sink)));

    private static int GenerationsAlive(CurrentGeneration current, UnloadTracker tracker)
    {
        var serving = current.Value;
        return (serving is null ? 0 : 1) + tracker.Alive.Where(r => r.Generation != serving?.Number).Select(r => r.Generation).Distinct().Count();
    }

    private static int Distinct(IReadOnlyList<RetiredApp> retired) => retired.Select(r => r.Generation).Distinct().Count();
}
