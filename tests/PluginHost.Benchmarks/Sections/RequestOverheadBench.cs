using PluginHost.Benchmarks.Infrastructure;
using PluginHost.Benchmarks.Reporting;

namespace PluginHost.Benchmarks.Sections;

/// <summary>
/// 1. The same tiny JSON endpoint (tests/TestPlugins/TinyJson) served (a) by a bare Kestrel minimal API and (b) by the
/// host as a plugin at /api/v1, both as their own processes, loaded alike in alternating rounds.
/// </summary>
public sealed class RequestOverheadBench(BenchContext context) : IBenchSection
{
    private const string Path = "/api/v1/";

    public int Number => 1;
    public string Key => "overhead";
    public string Title => "Request overhead";

    public IReadOnlyList<string> Notes =>
    [
        "1: each round runs the bare server and the host back to back (order alternating); the per-round ratios pair adjacent runs, so their median is robust on a shared machine. CPU time per request is the server process's user+system time over the run divided by its requests.",
    ];

    public async Task<IReadOnlyList<BenchRow>> RunAsync(CancellationToken cancellationToken)
    {
        var sizes = context.Sizes;
        using var deployment = new Deployment(context.Paths);
        deployment.AddApp("v1", "TinyJson", "TinyJson");
        deployment.Promote("v1");
        deployment.WriteConfig([new BenchApp("TinyJson", "/api/v1", "TinyJson/TinyJson.dll", ["/"])], sizes.Debounce);

        var cpus = context.Pinning?.ServerCpus;
        await using var bare = await ServerProcess.StartBareAsync(context.Paths, "tiny", Path, cpus, cancellationToken: cancellationToken);
        await using var host = await ServerProcess.StartHostAsync(context.Paths, deployment.ConfigPath, Path, cpus, cancellationToken: cancellationToken);
        context.Progress($"overhead: warming up both servers ({sizes.ThroughputWarmup.TotalSeconds:0.#} s each)");
        await context.ThroughputLoad.RunAsync(bare.Url(Path), sizes.ThroughputWarmup, cancellationToken);
        await context.ThroughputLoad.RunAsync(host.Url(Path), sizes.ThroughputWarmup, cancellationToken);

        var bareRuns = new List<MeasuredRun>();
        var hostRuns = new List<MeasuredRun>();
        for (var round = 1; round <= sizes.OverheadRounds; round++)
        {
            // a b, b a, a b …: a drift of the machine's speed falls on both sides alike.
            var bareFirst = round % 2 == 1;
            foreach (var (server, runs) in bareFirst ? new[] { (bare, bareRuns), (host, hostRuns) } : [(host, hostRuns), (bare, bareRuns)])
            {
                runs.Add(await MeasuredRun.RunAsync(context.ThroughputLoad, server, Path, sizes.OverheadDuration, cancellationToken));
            }

            context.Progress(Fmt.F($"overhead: round {round}/{sizes.OverheadRounds}: bare {bareRuns[^1].Load.RequestsPerSecond:0} req/s, host {hostRuns[^1].Load.RequestsPerSecond:0} req/s"));
        }

        bare.EnsureRunning();
        host.EnsureRunning();
        // The ratio of each round's adjacent pair, then their median: slow drifts of the machine cancel out.
        var ratios = bareRuns.Zip(hostRuns, (a, b) => b.Load.RequestsPerSecond / a.Load.RequestsPerSecond).ToList();
        var ratio = Stats.Median(ratios);
        double Median(List<MeasuredRun> runs, Func<MeasuredRun, double> figure) => Stats.Median(runs.Select(figure));
        var (bareRps, hostRps) = (Median(bareRuns, r => r.Load.RequestsPerSecond), Median(hostRuns, r => r.Load.RequestsPerSecond));
        var (bareP50, hostP50) = (Median(bareRuns, r => r.Load.P50Ms), Median(hostRuns, r => r.Load.P50Ms));
        var (bareP99, hostP99) = (Median(bareRuns, r => r.Load.P99Ms), Median(hostRuns, r => r.Load.P99Ms));
        var (bareCpu, hostCpu) = (Median(bareRuns, r => r.CpuMicrosecondsPerRequest), Median(hostRuns, r => r.CpuMicrosecondsPerRequest));
        var failures = bareRuns.Concat(hostRuns).Sum(r => r.Load.Failures);
        return
        [
            new(Number, Fmt.F($"Throughput, median of {sizes.OverheadRounds} rounds; ratio = median of the rounds' ratios"), Fmt.PerSecond(hostRps), Fmt.PerSecond(bareRps), Fmt.Ratio(ratio), "≥ 0.97", BenchRow.Check(ratio >= 0.97)),
            new(Number, "Throughput ratio of each round", string.Join(", ", ratios.Select(Fmt.Ratio))),
            new(Number, "Server CPU time per request (median of rounds)", Fmt.F($"{hostCpu:0.00} µs"), Fmt.F($"{bareCpu:0.00} µs"), Fmt.Ratio(hostCpu / bareCpu)),
            new(Number, "Latency p50 (median of rounds)", Fmt.Ms(hostP50), Fmt.Ms(bareP50), Fmt.Ratio(hostP50 / bareP50)),
            new(Number, "Latency p99 (median of rounds)", Fmt.Ms(hostP99), Fmt.Ms(bareP99), Fmt.Ratio(hostP99 / bareP99)),
            new(Number, "Failed requests (non-2xx + socket errors)", Fmt.Count(hostRuns.Sum(r => r.Load.Failures)), Fmt.Count(bareRuns.Sum(r => r.Load.Failures)), "", "0", BenchRow.Check(failures == 0)),
        ];
    }
}
