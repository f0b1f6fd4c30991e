using Microsoft.Extensions.Logging;
using PluginHost.Core.Generations;

namespace PluginHost.Core.Unloading.LeakChains;

/// <summary>
/// Says what holds each leaked generation: off the request path, one analysis at a time, it has the finder dump and
/// read the process, then logs each chain and keeps it on the retired app (for status). Dumps are costly, so after one
/// analysis the next waits <see cref="MinimumInterval"/>; leaks found meanwhile are explained together then. A generation
/// an analysis could not explain (it failed, or found no chain while the generation stayed alive) is analysed once more
/// after <see cref="RetryInterval"/>, so one bad dump does not leave a leak unexplained for good.
/// </summary>
public sealed partial class LeakExplainer(ILeakRootFinder finder, TimeProvider timeProvider, ILogger<LeakExplainer> logger)
{
    public static readonly TimeSpan MinimumInterval = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(30);
    private readonly Lock _lock = new();
    private readonly List<RetiredApp> _waiting = [];
    private Task _worker = Task.CompletedTask;
    private bool _working;
    private long? _lastAnalysis;
    private TimeSpan _interval = MinimumInterval;

    /// <summary>Completes when every leak handed in so far has been explained (or could not be).</summary>
    public Task WhenIdleAsync()
    {
        lock (_lock)
        {
            return _worker;
        }
    }

    public void Explain(IReadOnlyList<RetiredApp> leaked)
    {
        ArgumentNullException.ThrowIfNull(leaked);
        lock (_lock)
        {
            _waiting.AddRange(leaked.Where(r => r.ContextId is not null));
            if (_waiting.Count > 0 && !_working)
            {
                _working = true;
                _worker = Task.Factory.StartNew(Work, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            }
        }
    }

    private void Work()
    {
        while (true)
        {
            // Idle as soon as nothing waits: the interval is waited out only for leaks found after the last analysis.
            lock (_lock)
            {
                if (!_waiting.Any(r => r.IsAlive))
                {
                    _waiting.Clear();
                    _working = false;
                    return;
                }
            }

            WaitForInterval();
            List<RetiredApp> batch;
            lock (_lock)
            {
                batch = [.. _waiting.Where(r => r.IsAlive)];
                _waiting.Clear();
            }

            if (batch.Count > 0)
            {
                Analyze(batch);
            }
        }
    }

    private void WaitForInterval()
    {
        if (_lastAnalysis is { } last && timeProvider.GetElapsedTime(last) is var elapsed && elapsed < _interval)
        {
            Task.Delay(_interval - elapsed, timeProvider).Wait();
        }
    }

    private void Analyze(List<RetiredApp> batch)
    {
        _lastAnalysis = timeProvider.GetTimestamp();
        var started = timeProvider.GetTimestamp();
        foreach (var retired in batch)
        {
            retired.LeakAnalyses++;
        }

        IReadOnlyDictionary<long, IReadOnlyList<LeakChain>> chains;
        try
        {
            chains = finder.Find([.. batch.Select(r => r.ContextId!.Value)]);
        }
        catch (Exception ex)
        {
            Log.AnalysisFailed(logger, batch.Count, ex.GetType().Name, ex.Message);
            RetryOnce(batch);
            return;
        }
        finally
        {
            GiveBackAnalysisMemory();
        }

        foreach (var retired in batch)
        {
            var found = chains.GetValueOrDefault(retired.ContextId!.Value) ?? [];
            retired.LeakChains = found;
            if (found.Count == 0)
            {
                Log.NoChain(logger, retired.App, retired.Version, retired.Generation);
            }

            foreach (var chain in found)
            {
                Log.HeldBy(logger, retired.App, retired.Version, retired.Generation, chain.ToString());
            }
        }

        Log.Analyzed(logger, batch.Count, (long)timeProvider.GetElapsedTime(started).TotalMilliseconds);
        RetryOnce([.. batch.Where(r => r.LeakChains.Count == 0)]);
    }

    /// <summary>Queues the generations of a first analysis that explained nothing for one more, sooner than the usual interval.</summary>
    private void RetryOnce(List<RetiredApp> unexplained)
    {
        var again = unexplained.Where(r => r.LeakAnalyses == 1).ToList();
        lock (_lock)
        {
            _waiting.AddRange(again);
            _interval = again.Count > 0 ? RetryInterval : MinimumInterval;
        }
    }

    /// <summary>
    /// Reading the dump took hundreds of MB of managed and native memory (measured: the host's RSS up by 300 MB, and it
    /// stayed there): return what the analysis left behind, so one diagnosis does not raise the host's footprint for good.
    /// </summary>
    private static void GiveBackAnalysisMemory()
    {
        NativeHeapTrim.AfterCollection();
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 34, EventName = "LeakHeldBy", Level = LogLevel.Warning,
            Message = "Leak: {App} {Version} generation {Generation} is held by {Chain}")]
        public static partial void HeldBy(ILogger logger, string app, string version, long generation, string chain);

        [LoggerMessage(EventId = 35, EventName = "LeakNoChain", Level = LogLevel.Information,
            Message = "{App} {Version} generation {Generation}: no GC root was found to hold it (it is being collected, or the dump missed it)")]
        public static partial void NoChain(ILogger logger, string app, string version, long generation);

        [LoggerMessage(EventId = 36, EventName = "LeakAnalysisFailed", Level = LogLevel.Warning,
            Message = "Could not find what holds {Count} leaked generation(s): {ExceptionType}: {Error}")]
        public static partial void AnalysisFailed(ILogger logger, int count, string exceptionType, string error);

        [LoggerMessage(EventId = 37, EventName = "LeakAnalyzed", Level = LogLevel.Information,
            Message = "Heap analysis of {Count} leaked generation(s) took {ElapsedMs} ms")]
        public static partial void Analyzed(ILogger logger, int count, long elapsedMs);
    }
}
