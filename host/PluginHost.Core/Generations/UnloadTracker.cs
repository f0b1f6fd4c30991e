using Microsoft.Extensions.Logging;
using PluginHost.Core.Unloading.LeakChains;

namespace PluginHost.Core.Generations;

public enum UnloadState
{
    Unloading,
    Collected,
    Leaked,
}

/// <summary>A retired app generation, held only weakly: the host's proof that its context goes away.</summary>
/// <param name="contextId">The runtime's number of the context (see <see cref="LoadContextId"/>), to find it in a heap dump.</param>
public sealed class RetiredApp(string app, string version, long generation, WeakReference context, long retiredAt, long? contextId = null)
{
    public string App { get; } = app;
    public string Version { get; } = version;
    public long Generation { get; } = generation;
    public WeakReference Context { get; } = context;
    internal long RetiredAt { get; } = retiredAt;
    public UnloadState State { get; internal set; } = UnloadState.Unloading;
    public bool IsAlive => Context.IsAlive;
    public long? ContextId { get; } = contextId;

    /// <summary>Once leaked and analysed: what holds it (static field, thread or handle, then each reference).</summary>
    public IReadOnlyList<LeakChain> LeakChains { get; internal set; } = [];

    /// <summary>How many heap analyses have looked for what holds it.</summary>
    internal int LeakAnalyses { get; set; }
}

/// <summary>
/// Verifies that retired contexts are really collected: forces collections for up to the unload timeout,
/// logs each unload with its duration, and reports a context still alive after that as a leak
/// (Tomcat's "find leaks", for collectible AssemblyLoadContexts).
/// </summary>
/// <param name="explainer">Told of each leak, to find what holds it; none when leak diagnostics are off.</param>
/// <param name="afterSettled">Run once every tracked context is settled (default: give freed memory back, <see cref="NativeHeapTrim"/>).</param>
public sealed partial class UnloadTracker(TimeProvider timeProvider, ILogger<UnloadTracker> logger, TimeSpan unloadTimeout, LeakExplainer? explainer = null,
    Action? afterSettled = null)
{
    private readonly Action _afterSettled = afterSettled ?? NativeHeapTrim.AfterCollection;
    /// <summary>
    /// The first forced collection waits this long: a retirement starts at the swap, and full blocking collections
    /// right then would pause the new generation's first requests, the ones a deploy waits on.
    /// </summary>
    public static readonly TimeSpan FirstCollectionDelay = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan FirstInterval = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan MaxInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan WatchInterval = TimeSpan.FromSeconds(5);
    private const int ForcedCollectionEvery = 12;
    private const int EagerForcedTicks = 4;
    private readonly Lock _lock = new();
    private readonly List<RetiredApp> _pending = [];
    private readonly List<RetiredApp> _leaked = [];
    private Task _loop = Task.CompletedTask;
    private bool _verifying;
    private ITimer? _watch;
    private int _watchTicks;
    private long _collected;

    public long CollectedCount => Interlocked.Read(ref _collected);

    /// <summary>Retired generations whose context is still alive (being unloaded or leaked).</summary>
    public IReadOnlyList<RetiredApp> Alive
    {
        get
        {
            lock (_lock)
            {
                return _pending.Concat(_leaked).Where(r => r.IsAlive).ToList();
            }
        }
    }

    public IReadOnlyList<RetiredApp> Leaked
    {
        get
        {
            lock (_lock)
            {
                return _leaked.ToList();
            }
        }
    }

    /// <summary>Completes when every tracked context is either collected or declared leaked.</summary>
    public Task WhenSettledAsync()
    {
        lock (_lock)
        {
            return _loop;
        }
    }

    public void Track(IEnumerable<RetiredApp> retired)
    {
        lock (_lock)
        {
            _pending.AddRange(retired);
            // Not _loop.IsCompleted: the loop may be past its last look at _pending (trimming) and about to end.
            if (!_verifying)
            {
                _verifying = true;
                // A dedicated thread: forcing collections and waiting for finalizers blocks, and must not starve
                // the thread pool that serves requests.
                _loop = Task.Factory.StartNew(VerifyLoop, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            }
        }
    }

    private void VerifyLoop()
    {
        while (true)
        {
            VerifyPending();
            _afterSettled();
            lock (_lock)
            {
                // A retirement that came while the memory was being given back is verified by this loop too.
                if (_pending.Count == 0)
                {
                    _verifying = false;
                    return;
                }
            }
        }
    }

    /// <summary>Forces collections, backing off, until every pending context is collected or declared leaked.</summary>
    private void VerifyPending()
    {
        WaitForFirstCollection();
        for (var interval = FirstInterval; ; interval = TimeSpan.FromTicks(Math.Min(interval.Ticks * 2, MaxInterval.Ticks)))
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            bool settled;
            lock (_lock)
            {
                Settle();
                settled = _pending.Count == 0;
            }

            if (settled)
            {
                return;
            }

            // Backing off keeps the stop-the-world collections few when something holds a context for long.
            Task.Delay(interval, timeProvider).Wait();
        }
    }

    /// <summary>
    /// Until <see cref="FirstCollectionDelay"/> after the oldest retirement. Measured from the retirement, not from when
    /// this thread got to run, and re-measured at least every 50 ms, so a late start or a clock that moves on while the
    /// delay is being set up never stretches it.
    /// </summary>
    private void WaitForFirstCollection()
    {
        long oldest;
        lock (_lock)
        {
            oldest = _pending.Count == 0 ? timeProvider.GetTimestamp() : _pending.Min(r => r.RetiredAt);
        }

        for (var remaining = FirstCollectionDelay - timeProvider.GetElapsedTime(oldest);
             remaining > TimeSpan.Zero;
             remaining = FirstCollectionDelay - timeProvider.GetElapsedTime(oldest))
        {
            Task.Delay(remaining, timeProvider).Wait(TimeSpan.FromMilliseconds(50));
        }
    }

    private void Settle()
    {
        var now = timeProvider.GetTimestamp();
        var leaked = new List<RetiredApp>();
        for (var i = _pending.Count - 1; i >= 0; i--)
        {
            var retired = _pending[i];
            var elapsed = timeProvider.GetElapsedTime(retired.RetiredAt, now);
            if (!retired.IsAlive)
            {
                retired.State = UnloadState.Collected;
                Interlocked.Increment(ref _collected);
                Log.Unloaded(logger, retired.App, retired.Version, retired.Generation, (long)elapsed.TotalMilliseconds);
                _pending.RemoveAt(i);
            }
            else if (elapsed >= unloadTimeout)
            {
                retired.State = UnloadState.Leaked;
                Log.Leaked(logger, retired.App, retired.Version, retired.Generation, (long)unloadTimeout.TotalSeconds);
                _leaked.Add(retired);
                leaked.Add(retired);
                _pending.RemoveAt(i);
            }
        }

        if (leaked.Count > 0)
        {
            Interlocked.Exchange(ref _watchTicks, 0);
            explainer?.Explain(leaked);
        }

        SettleLeaked(now);
        if (_leaked.Count > 0)
        {
            _watch ??= timeProvider.CreateTimer(_ => WatchLeaked(), null, WatchInterval, WatchInterval);
        }
    }

    /// <summary>A context reported as leaked may still go (a thread that ends late): log it and count it when it does.</summary>
    private void SettleLeaked(long now)
    {
        for (var i = _leaked.Count - 1; i >= 0; i--)
        {
            var retired = _leaked[i];
            if (!retired.IsAlive)
            {
                retired.State = UnloadState.Collected;
                Interlocked.Increment(ref _collected);
                Log.UnloadedLate(logger, retired.App, retired.Version, retired.Generation, (long)timeProvider.GetElapsedTime(retired.RetiredAt, now).TotalSeconds);
                _leaked.RemoveAt(i);
            }
        }
    }

    /// <summary>
    /// Keeps an eye on leaked contexts without waiting for the next reload: every few seconds, with a forced collection
    /// on each of the first ticks (a context held a little past the timeout by a busy machine goes then, and an idle
    /// host runs no collection of its own to notice it) and about once a minute after that (in between, the
    /// application's own collections are enough to tell).
    /// </summary>
    private void WatchLeaked()
    {
        var tick = Interlocked.Increment(ref _watchTicks);
        if (tick <= EagerForcedTicks || tick % ForcedCollectionEvery == 0)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
        }

        lock (_lock)
        {
            SettleLeaked(timeProvider.GetTimestamp());
            if (_leaked.Count == 0)
            {
                _watch?.Dispose();
                _watch = null;
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 30, EventName = "GenerationUnloaded", Level = LogLevel.Information,
            Message = "Unloaded {App} {Version} generation {Generation} in {UnloadMs} ms")]
        public static partial void Unloaded(ILogger logger, string app, string version, long generation, long unloadMs);

        [LoggerMessage(EventId = 38, EventName = "GenerationUnloadedLate", Level = LogLevel.Information,
            Message = "Unloaded {App} {Version} generation {Generation} after {Seconds} s, later than the unload timeout (it was reported leaked)")]
        public static partial void UnloadedLate(ILogger logger, string app, string version, long generation, long seconds);

        [LoggerMessage(EventId = 31, EventName = "GenerationLeaked", Level = LogLevel.Warning,
            Message = "Leak: {App} {Version} generation {Generation} is still alive {TimeoutSeconds} s after it was retired; something outside it still references its code (see UNLOADING notes: static events, caches, timers)")]
        public static partial void Leaked(ILogger logger, string app, string version, long generation, long timeoutSeconds);
    }
}
