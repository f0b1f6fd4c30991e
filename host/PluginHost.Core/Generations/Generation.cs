using PluginHost.Core.Loading;
using PluginHost.Core.Releases;
using PluginHost.Core.Routing;

namespace PluginHost.Core.Generations;

/// <summary>
/// Every app of one release, loaded together and swapped together. Counts the requests inside it;
/// once retired, the last request out signals that it has drained.
/// </summary>
public sealed class Generation
{
    private readonly DrainGate _requests = new();

    public Generation(long number, ResolvedRelease release, IReadOnlyList<AppInstance> apps, DateTimeOffset loadedAt)
    {
        ArgumentNullException.ThrowIfNull(release);
        ArgumentNullException.ThrowIfNull(apps);
        Number = number;
        Release = release;
        Apps = apps;
        LoadedAt = loadedAt;
        Mounts = new MountTable<AppInstance>(apps.Select(a => (a.Config.Mount, a.Config.Hosts, a, a.Name)));
    }

    public long Number { get; }
    public ResolvedRelease Release { get; }
    public IReadOnlyList<AppInstance> Apps { get; }
    public MountTable<AppInstance> Mounts { get; }
    public DateTimeOffset LoadedAt { get; }
    public long InFlight => _requests.InFlight;
    public bool IsRetired => _requests.IsRetired;

    /// <summary>Retired and left by its last request: from here on nothing may run inside it.</summary>
    public bool IsDrained => _requests.IsDrained;

    /// <summary>Enters the generation unless it has been retired (then the caller retries on the current one).</summary>
    public bool TryEnter() => _requests.TryEnter();

    public void Exit() => _requests.Exit();

    /// <summary>No new request enters; completes when the last one inside has left.</summary>
    public Task RetireAsync() => _requests.RetireAsync();
}
