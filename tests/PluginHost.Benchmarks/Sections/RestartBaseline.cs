using PluginHost.Benchmarks.Infrastructure;

namespace PluginHost.Benchmarks.Sections;

/// <summary>
/// The baseline of a reload: starting the same app as its own bare Kestrel process (process start → first 200), a few
/// times spread evenly over a run of reloads, so that a drift of the machine's speed falls on both alike.
/// </summary>
/// <param name="start">Starts the bare process and returns once it answered 200.</param>
public sealed class RestartBaseline(int reloads, int restarts, Func<CancellationToken, Task<ServerProcess>> start)
{
    private readonly int _every = Math.Max(1, reloads / Math.Max(1, restarts));
    private readonly List<double> _times = [];

    /// <summary>Process start → first 200 of each restart, in milliseconds.</summary>
    public IReadOnlyList<double> Times => _times;

    /// <summary>Restarts the bare app when reload <paramref name="reload"/> is one of the evenly spread ones.</summary>
    public async Task AfterReloadAsync(int reload, CancellationToken cancellationToken = default)
    {
        if (reload % _every == 0 && _times.Count < restarts)
        {
            await using var bare = await start(cancellationToken);
            _times.Add(bare.StartupTime.TotalMilliseconds);
        }
    }
}
