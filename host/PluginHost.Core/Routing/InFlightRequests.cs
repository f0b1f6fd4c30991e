using System.Collections.Concurrent;

namespace PluginHost.Core.Routing;

/// <summary>The requests an app generation is running now: what a draining generation waits for, aborts and shows.</summary>
public sealed class InFlightRequests
{
    private readonly ConcurrentDictionary<InFlightRequest, byte> _requests = new(ReferenceEqualityComparer.Instance);
    private long _count;
    private long _total;

    public long Count => Interlocked.Read(ref _count);

    /// <summary>Every request the app has started.</summary>
    public long Total => Interlocked.Read(ref _total);

    public void Add(InFlightRequest request)
    {
        _requests.TryAdd(request, 0);
        Interlocked.Increment(ref _count);
        Interlocked.Increment(ref _total);
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
