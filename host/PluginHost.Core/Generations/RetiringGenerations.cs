using PluginHost.Core.Routing;

namespace PluginHost.Core.Generations;

/// <summary>Where a retiring generation is, before its contexts are handed to the unload tracker.</summary>
public enum RetirementState
{
    /// <summary>No new requests; the ones inside (and, in <c>keep</c> mode, its long-lived connections) may finish.</summary>
    Draining,
    /// <summary>The drain timeout passed: the requests still inside were told to end and will be cut off.</summary>
    Aborting,
    /// <summary>Drained: its hosted services are stopping, then its containers are disposed and its contexts unloaded.</summary>
    Stopping,
}

/// <summary>One generation on its way out, as status shows it: its state, since when, and per app the requests still running.</summary>
public sealed class RetiringGeneration(Generation generation, long since)
{
    private int _state;

    public Generation Generation { get; } = generation;
    public long Since { get; } = since;

    public RetirementState State
    {
        get => (RetirementState)Volatile.Read(ref _state);
        internal set => Volatile.Write(ref _state, (int)value);
    }

    /// <summary>Per app: the requests still running, and the oldest of them.</summary>
    public IReadOnlyList<(string App, long InFlight, InFlightRequest? Oldest)> Requests() =>
        [.. Generation.Apps.Select(a => (a.Name, a.InFlight, a.Running.Oldest()))];
}

/// <summary>The generations being retired now (drained, aborted, stopped), for status. The retirer adds and removes them.</summary>
public sealed class RetiringGenerations
{
    private readonly Lock _lock = new();
    private readonly List<RetiringGeneration> _retiring = [];

    public IReadOnlyList<RetiringGeneration> Current
    {
        get
        {
            lock (_lock)
            {
                return [.. _retiring];
            }
        }
    }

    internal RetiringGeneration Add(Generation generation, long since)
    {
        var retiring = new RetiringGeneration(generation, since);
        lock (_lock)
        {
            _retiring.Add(retiring);
        }

        return retiring;
    }

    internal void Remove(RetiringGeneration retiring)
    {
        lock (_lock)
        {
            _retiring.Remove(retiring);
        }
    }
}
