using PluginHost.Core.Releases;

namespace PluginHost.Core.Generations;

/// <summary>Why a generation is kept loaded without serving.</summary>
public enum StandbyRole
{
    /// <summary>The generation a promote replaced: a rollback to its release swaps back to it.</summary>
    Previous,
    /// <summary>Built ahead of a promote ('promote --prepare'): the promote swaps to it.</summary>
    Prepared,
}

/// <summary>A generation kept loaded, idle and warm: its hosted services run, it takes no request.</summary>
/// <param name="Fingerprint">The files and config it was built from: it may serve only while they are unchanged.</param>
/// <param name="Since">When it became a standby.</param>
public sealed record Standby(Generation Generation, StandbyRole Role, ReleaseFingerprint Fingerprint, DateTimeOffset Since);

/// <summary>
/// The generations held besides the serving one: at most one per role. Only the reload coordinator changes it (under its
/// gate); status reads it. Whatever it hands back (replaced or discarded) must be retired by the caller.
/// </summary>
public sealed class StandbyGenerations
{
    private readonly Lock _lock = new();
    private readonly List<Standby> _standbys = [];

    public IReadOnlyList<Standby> Current
    {
        get
        {
            lock (_lock)
            {
                return [.. _standbys];
            }
        }
    }

    /// <summary>Holds <paramref name="standby"/>; returns the ones it displaces (the same role, or the same release folder).</summary>
    public IReadOnlyList<Standby> Put(Standby standby)
    {
        ArgumentNullException.ThrowIfNull(standby);
        lock (_lock)
        {
            var displaced = RemoveWhere(s => s.Role == standby.Role || s.Generation.Release.Path == standby.Generation.Release.Path);
            _standbys.Add(standby);
            return displaced;
        }
    }

    /// <summary>Takes out the standby built from <paramref name="releasePath"/>, if any.</summary>
    public Standby? Take(string releasePath)
    {
        lock (_lock)
        {
            return RemoveWhere(s => s.Generation.Release.Path == releasePath).FirstOrDefault();
        }
    }

    /// <summary>Takes out every standby <paramref name="which"/> selects.</summary>
    public IReadOnlyList<Standby> Discard(Func<Standby, bool> which)
    {
        ArgumentNullException.ThrowIfNull(which);
        lock (_lock)
        {
            return RemoveWhere(which);
        }
    }

    private List<Standby> RemoveWhere(Func<Standby, bool> which)
    {
        var removed = _standbys.Where(which).ToList();
        _standbys.RemoveAll(removed.Contains);
        return removed;
    }
}
