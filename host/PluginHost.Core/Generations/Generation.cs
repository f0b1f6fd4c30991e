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
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    // The retired flag and the in-flight count share one word, so "retired and empty" is one atomic observation: with two
    // fields a late Exit could see zero, then the flag, while a request that entered between them is still running.
    private const long RetiredBit = 1L << 62;
    private long _state;

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
    public long InFlight => Interlocked.Read(ref _state) & ~RetiredBit;
    public bool IsRetired => (Interlocked.Read(ref _state) & RetiredBit) != 0;

    /// <summary>Retired and left by its last request: from here on nothing may run inside it.</summary>
    public bool IsDrained => _drained.Task.IsCompleted;

    /// <summary>Enters the generation unless it has been retired (then the caller retries on the current one).</summary>
    public bool TryEnter()
    {
        if ((Interlocked.Increment(ref _state) & RetiredBit) == 0)
        {
            return true;
        }

        Exit();
        return false;
    }

    public void Exit()
    {
        if (Interlocked.Decrement(ref _state) == RetiredBit)
        {
            _drained.TrySetResult();
        }
    }

    /// <summary>No new request enters; completes when the last one inside has left.</summary>
    public Task RetireAsync()
    {
        if ((Interlocked.Or(ref _state, RetiredBit) & ~RetiredBit) == 0)
        {
            _drained.TrySetResult();
        }

        return _drained.Task;
    }
}
