using PluginHost.Benchmarks.Infrastructure;

namespace PluginHost.Benchmarks.Sections;

/// <summary>
/// The baseline of a reload: starting the same app as its own bare Kestrel process (process start → first 200), a few
/// times spread evenly over a run of reloads, so that a drift of the machine's speed falls on both alike.
/// </summary>
/// <param name="start">Starts the bare process and returns once it answered 200.</param>
/// <param name="warmPaths">The host's other warm-up paths of the app: asked once each after the first 200, as the host asks
/// them before it swaps a generation in, for a restart that is as warm as a reload when it counts as done.</param>
public sealed class RestartBaseline(int reloads, int restarts, Func<CancellationToken, Task<ServerProcess>> start, IReadOnlyList<string>? warmPaths = null)
{
    private readonly int _every = Math.Max(1, reloads / Math.Max(1, restarts));
    private readonly List<double> _times = [];
    private readonly List<double> _warmedTimes = [];

    /// <summary>Process start → first 200 of each restart, in milliseconds.</summary>
    public IReadOnlyList<double> Times => _times;

    /// <summary>Process start → the last of <c>warmPaths</c> answered 200, in milliseconds (empty without warm paths).</summary>
    public IReadOnlyList<double> WarmedTimes => _warmedTimes;

    /// <summary>Restarts the bare app when reload <paramref name="reload"/> is one of the evenly spread ones.</summary>
    public async Task AfterReloadAsync(int reload, CancellationToken cancellationToken = default)
    {
        if (reload % _every == 0 && _times.Count < restarts)
        {
            await using var bare = await start(cancellationToken);
            _times.Add(bare.StartupTime.TotalMilliseconds);
            if (warmPaths is { Count: > 0 })
            {
                var warming = System.Diagnostics.Stopwatch.StartNew();
                foreach (var path in warmPaths)
                {
                    using var response = await bare.Client.GetAsync(new Uri(path, UriKind.Relative), cancellationToken);
                    response.EnsureSuccessStatusCode();
                }

                _warmedTimes.Add(bare.StartupTime.TotalMilliseconds + warming.Elapsed.TotalMilliseconds);
            }
        }
    }
}
