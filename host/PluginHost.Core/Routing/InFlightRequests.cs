using System.Collections.Concurrent;

namespace PluginHost.Core.Routing;

/// <summary>
/// The requests an app generation is running now: what a draining generation waits for, aborts and shows. It also ends
/// those past <c>apps[].requestTimeout</c>: one sweep per app, every eighth of the timeout (at most every second, at
/// least every 50 ms), instead of a timer created and cancelled for every request; a request ends at most one period late.
/// </summary>
public sealed class InFlightRequests : IDisposable
{
    private static readonly TimeSpan MinSweep = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan MaxSweep = TimeSpan.FromSeconds(1);
    private readonly ConcurrentDictionary<InFlightRequest, byte> _requests = new(ReferenceEqualityComparer.Instance);
    private readonly Lock _sweepLock = new();
    private ITimer? _sweep;
    private TimeProvider? _sweepClock;
    private bool _disposed;
    private long _count;
    private long _total;

    public long Count => Interlocked.Read(ref _count);

    /// <summary>Every request the app has started.</summary>
    public long Total => Interlocked.Read(ref _total);

    public void Add(InFlightRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        _requests.TryAdd(request, 0);
        Interlocked.Increment(ref _count);
        Interlocked.Increment(ref _total);
        if (request.Timeout is { } timeout && Volatile.Read(ref _sweep) is null)
        {
            StartSweep(request.TimeProvider, timeout);
        }
    }

    private void StartSweep(TimeProvider clock, TimeSpan timeout)
    {
        lock (_sweepLock)
        {
            if (_sweep is null && !_disposed)
            {
                var period = TimeSpan.FromTicks(Math.Clamp(timeout.Ticks / 8, MinSweep.Ticks, MaxSweep.Ticks));
                _sweepClock = clock;
                _sweep = clock.CreateTimer(static state => ((InFlightRequests)state!).Sweep(), this, period, period);
            }
        }
    }

    private void Sweep()
    {
        var now = _sweepClock!.GetTimestamp();
        foreach (var request in _requests.Keys)
        {
            request.CheckTimeout(now);
        }
    }

    /// <summary>Stops the sweep (the generation is gone).</summary>
    public void Dispose()
    {
        lock (_sweepLock)
        {
            _disposed = true;
            _sweep?.Dispose();
            _sweep = null;
        }
    }

    public void Remove(InFlightRequest request)
    {
        _requests.TryRemove(request, out _);
        Interlocked.Decrement(ref _count);
    }

    public IReadOnlyList<InFlightRequest> Snapshot() => [.. _requests.Keys];

    /// <summary>The longest-running request, or null.</summary>
    public InFlightRequest? Oldest() => _requests.Keys.MinBy(r => r.StartedAt);
}
