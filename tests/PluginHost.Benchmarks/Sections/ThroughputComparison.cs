using PluginHost.Benchmarks.Infrastructure;
using PluginHost.Benchmarks.Load;
using PluginHost.Benchmarks.Reporting;

namespace PluginHost.Benchmarks.Sections;

/// <summary>One side of a throughput comparison: a started server and the path loaded on it.</summary>
/// <param name="Name">Names the side in the progress log ("bare", "host").</param>
public sealed record ThroughputSide(string Name, ServerProcess Server, string Path);

/// <summary>
/// The host against its baseline (and any further sides), loaded alike: all servers started the same way (pinned to the
/// same CPU when the suite pins), each first warmed up under load, then rounds that load every side back to back, the order
/// reversed every other round (a b c, c b a, …). Figures are medians of the rounds; a ratio is the median of each round's
/// pair of runs, so slow drifts of a shared machine's speed cancel out.
/// </summary>
public sealed class ThroughputComparison
{
    private readonly List<List<MeasuredRun>> _runs;
    private readonly List<double> _loadAverages = [];

    private ThroughputComparison(int sides) => _runs = [.. Enumerable.Range(0, sides).Select(_ => new List<MeasuredRun>())];

    public IReadOnlyList<MeasuredRun> Baseline => _runs[0];
    public IReadOnlyList<MeasuredRun> Host => _runs[1];

    /// <summary>The runs of side <paramref name="side"/>, in the order the sides were given (0: the baseline, 1: the host).</summary>
    public IReadOnlyList<MeasuredRun> Runs(int side) => _runs[side];

    /// <summary>Host ÷ baseline requests per second of each round.</summary>
    public IReadOnlyList<double> Ratios => RatiosOf(1, 0);

    public double Ratio => Stats.Median(Ratios);

    /// <summary>Side <paramref name="side"/> ÷ side <paramref name="against"/> requests per second of each round.</summary>
    public IReadOnlyList<double> RatiosOf(int side, int against) =>
        [.. _runs[against].Zip(_runs[side], (a, b) => b.Load.RequestsPerSecond / a.Load.RequestsPerSecond)];

    /// <summary>How shared the machine was during the rounds (<see cref="MachineLoad.Describe"/>).</summary>
    public string Noise => MachineLoad.Describe(_loadAverages);

    /// <param name="label">Names the comparison in the progress log (the section's key).</param>
    public static Task<ThroughputComparison> RunAsync(BenchContext context, string label, ThroughputSide baseline, ThroughputSide host,
        CancellationToken cancellationToken = default) => RunAsync(context, label, [baseline, host], cancellationToken: cancellationToken);

    /// <param name="label">Names the comparison in the progress log (the section's key).</param>
    /// <param name="sides">The baseline first, then the host, then any other servers compared with them.</param>
    /// <param name="load">The load of the rounds; the context's throughput load when null.</param>
    /// <param name="warmUp">Load each server for the warm-up first (false: they were warmed up already).</param>
    public static async Task<ThroughputComparison> RunAsync(BenchContext context, string label, IReadOnlyList<ThroughputSide> sides, ILoadGenerator? load = null,
        bool warmUp = true, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(sides);
        var sizes = context.Sizes;
        load ??= context.ThroughputLoad;
        var comparison = new ThroughputComparison(sides.Count);
        if (warmUp)
        {
            context.Progress($"{label}: warming up {sides.Count} servers ({sizes.ThroughputWarmup.TotalSeconds:0.#} s each)");
            foreach (var side in sides)
            {
                await context.ThroughputLoad.RunAsync(side.Server.Url(side.Path), sizes.ThroughputWarmup, cancellationToken);
            }
        }

        comparison._loadAverages.Add(MachineLoad.OneMinute());
        for (var round = 1; round <= sizes.OverheadRounds; round++)
        {
            // a b, b a, a b …: a drift of the machine's speed falls on all sides alike.
            var order = Enumerable.Range(0, sides.Count).ToList();
            if (round % 2 == 0)
            {
                order.Reverse();
            }

            foreach (var index in order)
            {
                comparison._runs[index].Add(await MeasuredRun.RunAsync(load, sides[index].Server, sides[index].Path, sizes.OverheadDuration, cancellationToken));
            }

            comparison._loadAverages.Add(MachineLoad.OneMinute());
            context.Progress(Fmt.F($"{label}: round {round}/{sizes.OverheadRounds}: ")
                + string.Join(", ", sides.Select((side, i) => Fmt.F($"{side.Name} {comparison._runs[i][^1].Load.RequestsPerSecond:0} req/s")))
                + Fmt.F($", load average {comparison._loadAverages[^1]:0.0}"));
        }

        foreach (var side in sides)
        {
            side.Server.EnsureRunning();
        }

        return comparison;
    }

    /// <summary>Throughput (held to <paramref name="target"/> × the baseline), each round's ratio, CPU time per request, latencies and failures.</summary>
    /// <param name="subject">What was loaded, put before the first row's measure ("GET /weatherforecast: "), or empty.</param>
    /// <param name="host">The side measured (1: the host).</param>
    /// <param name="baseline">The side it is held against (0: the baseline).</param>
    public IEnumerable<BenchRow> Rows(int section, double target, string subject = "", int host = 1, int baseline = 0)
    {
        var (hostRuns, baselineRuns) = (_runs[host], _runs[baseline]);
        double Median(IReadOnlyList<MeasuredRun> runs, Func<MeasuredRun, double> figure) => Stats.Median(runs.Select(figure));
        var (bareRps, hostRps) = (Median(baselineRuns, r => r.Load.RequestsPerSecond), Median(hostRuns, r => r.Load.RequestsPerSecond));
        var (bareP50, hostP50) = (Median(baselineRuns, r => r.Load.P50Ms), Median(hostRuns, r => r.Load.P50Ms));
        var (bareP99, hostP99) = (Median(baselineRuns, r => r.Load.P99Ms), Median(hostRuns, r => r.Load.P99Ms));
        var (bareCpu, hostCpu) = (Median(baselineRuns, r => r.CpuMicrosecondsPerRequest), Median(hostRuns, r => r.CpuMicrosecondsPerRequest));
        var (bareBytes, hostBytes) = (Median(baselineRuns, r => r.BytesPerRequest), Median(hostRuns, r => r.BytesPerRequest));
        var (hostFailures, bareFailures) = (hostRuns.Sum(r => r.Load.Failures), baselineRuns.Sum(r => r.Load.Failures));
        var ratios = RatiosOf(host, baseline);
        var ratio = Stats.Median(ratios);
        return
        [
            new(section, Fmt.F($"{subject}Throughput, median of {hostRuns.Count} rounds; ratio = median of the rounds' ratios"), Fmt.PerSecond(hostRps), Fmt.PerSecond(bareRps),
                Fmt.Ratio(ratio), Fmt.F($"≥ {target:0.00}"), BenchRow.Check(ratio >= target)),
            new(section, "Throughput ratio of each round", string.Join(", ", ratios.Select(Fmt.Ratio))),
            new(section, "Server CPU time per request (median of rounds)", Fmt.F($"{hostCpu:0.00} µs"), Fmt.F($"{bareCpu:0.00} µs"), Fmt.Ratio(hostCpu / bareCpu)),
            .. double.IsNaN(hostBytes) || double.IsNaN(bareBytes)
                ? Array.Empty<BenchRow>()
                : [new(section, "Managed bytes allocated per request (median of rounds)", Fmt.F($"{hostBytes:0} B"), Fmt.F($"{bareBytes:0} B"), Fmt.Ratio(hostBytes / bareBytes))],
            new(section, "Latency p50 (median of rounds)", Fmt.Ms(hostP50), Fmt.Ms(bareP50), Fmt.Ratio(hostP50 / bareP50)),
            new(section, "Latency p99 (median of rounds)", Fmt.Ms(hostP99), Fmt.Ms(bareP99), Fmt.Ratio(hostP99 / bareP99)),
            new(section, "Failed requests (non-2xx + socket errors)", Fmt.Count(hostFailures), Fmt.Count(bareFailures), "", "0", BenchRow.Check(hostFailures + bareFailures == 0)),
        ];
    }
}
