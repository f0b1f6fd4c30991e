using PluginHost.Benchmarks.Infrastructure;
using PluginHost.Benchmarks.Reporting;

namespace PluginHost.Benchmarks.Sections;

/// <summary>One side of a throughput comparison: a started server and the path loaded on it.</summary>
/// <param name="Name">Names the side in the progress log ("bare", "host").</param>
public sealed record ThroughputSide(string Name, ServerProcess Server, string Path);

/// <summary>
/// The host against its baseline, loaded alike: both servers started the same way (pinned to the same CPU when the suite
/// pins), each first warmed up under load, then alternating rounds (baseline first in odd rounds) of the throughput load.
/// Figures are medians of the rounds; the ratio is the median of each round's adjacent pair, so slow drifts of a shared
/// machine's speed cancel out.
/// </summary>
public sealed class ThroughputComparison
{
    private readonly List<MeasuredRun> _baseline = [];
    private readonly List<MeasuredRun> _host = [];
    private readonly List<double> _loadAverages = [];

    private ThroughputComparison()
    {
    }

    public IReadOnlyList<MeasuredRun> Baseline => _baseline;
    public IReadOnlyList<MeasuredRun> Host => _host;

    /// <summary>Host ÷ baseline requests per second of each round.</summary>
    public IReadOnlyList<double> Ratios => [.. _baseline.Zip(_host, (a, b) => b.Load.RequestsPerSecond / a.Load.RequestsPerSecond)];

    public double Ratio => Stats.Median(Ratios);

    /// <summary>How shared the machine was during the rounds (<see cref="MachineLoad.Describe"/>).</summary>
    public string Noise => MachineLoad.Describe(_loadAverages);

    /// <param name="label">Names the comparison in the progress log (the section's key).</param>
    public static async Task<ThroughputComparison> RunAsync(BenchContext context, string label, ThroughputSide baseline, ThroughputSide host,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(baseline);
        ArgumentNullException.ThrowIfNull(host);
        var sizes = context.Sizes;
        var comparison = new ThroughputComparison();
        context.Progress($"{label}: warming up both servers ({sizes.ThroughputWarmup.TotalSeconds:0.#} s each)");
        await context.ThroughputLoad.RunAsync(baseline.Server.Url(baseline.Path), sizes.ThroughputWarmup, cancellationToken);
        await context.ThroughputLoad.RunAsync(host.Server.Url(host.Path), sizes.ThroughputWarmup, cancellationToken);
        comparison._loadAverages.Add(MachineLoad.OneMinute());
        for (var round = 1; round <= sizes.OverheadRounds; round++)
        {
            // a b, b a, a b …: a drift of the machine's speed falls on both sides alike.
            var baselineFirst = round % 2 == 1;
            foreach (var (side, runs) in baselineFirst ? new[] { (baseline, comparison._baseline), (host, comparison._host) } : [(host, comparison._host), (baseline, comparison._baseline)])
            {
                runs.Add(await MeasuredRun.RunAsync(context.ThroughputLoad, side.Server, side.Path, sizes.OverheadDuration, cancellationToken));
            }

            comparison._loadAverages.Add(MachineLoad.OneMinute());
            context.Progress(Fmt.F($"{label}: round {round}/{sizes.OverheadRounds}: {baseline.Name} {comparison._baseline[^1].Load.RequestsPerSecond:0} req/s, ")
                + Fmt.F($"{host.Name} {comparison._host[^1].Load.RequestsPerSecond:0} req/s, load average {comparison._loadAverages[^1]:0.0}"));
        }

        baseline.Server.EnsureRunning();
        host.Server.EnsureRunning();
        return comparison;
    }

    /// <summary>Throughput (held to <paramref name="target"/> × the baseline), each round's ratio, CPU time per request, latencies and failures.</summary>
    /// <param name="subject">What was loaded, put before the first row's measure ("GET /weatherforecast: "), or empty.</param>
    public IEnumerable<BenchRow> Rows(int section, double target, string subject = "")
    {
        double Median(IReadOnlyList<MeasuredRun> runs, Func<MeasuredRun, double> figure) => Stats.Median(runs.Select(figure));
        var (bareRps, hostRps) = (Median(_baseline, r => r.Load.RequestsPerSecond), Median(_host, r => r.Load.RequestsPerSecond));
        var (bareP50, hostP50) = (Median(_baseline, r => r.Load.P50Ms), Median(_host, r => r.Load.P50Ms));
        var (bareP99, hostP99) = (Median(_baseline, r => r.Load.P99Ms), Median(_host, r => r.Load.P99Ms));
        var (bareCpu, hostCpu) = (Median(_baseline, r => r.CpuMicrosecondsPerRequest), Median(_host, r => r.CpuMicrosecondsPerRequest));
        var (hostFailures, bareFailures) = (_host.Sum(r => r.Load.Failures), _baseline.Sum(r => r.Load.Failures));
        var ratio = Ratio;
        return
        [
            new(section, Fmt.F($"{subject}Throughput, median of {_host.Count} rounds; ratio = median of the rounds' ratios"), Fmt.PerSecond(hostRps), Fmt.PerSecond(bareRps),
                Fmt.Ratio(ratio), Fmt.F($"≥ {target:0.00}"), BenchRow.Check(ratio >= target)),
            new(section, "Throughput ratio of each round", string.Join(", ", Ratios.Select(Fmt.Ratio))),
            new(section, "Server CPU time per request (median of rounds)", Fmt.F($"{hostCpu:0.00} µs"), Fmt.F($"{bareCpu:0.00} µs"), Fmt.Ratio(hostCpu / bareCpu)),
            new(section, "Latency p50 (median of rounds)", Fmt.Ms(hostP50), Fmt.Ms(bareP50), Fmt.Ratio(hostP50 / bareP50)),
            new(section, "Latency p99 (median of rounds)", Fmt.Ms(hostP99), Fmt.Ms(bareP99), Fmt.Ratio(hostP99 / bareP99)),
            new(section, "Failed requests (non-2xx + socket errors)", Fmt.Count(hostFailures), Fmt.Count(bareFailures), "", "0", BenchRow.Check(hostFailures + bareFailures == 0)),
        ];
    }
}
