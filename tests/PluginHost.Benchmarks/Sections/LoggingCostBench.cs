using PluginHost.Benchmarks.Infrastructure;
using PluginHost.Benchmarks.Reporting;

namespace PluginHost.Benchmarks.Sections;

/// <summary>
/// 6. What logging costs a request: the sample ReportingApi (which logs one Information event per GET /version) served by
/// three hosts that differ only in their logging section, loaded alike in rotating rounds: at Warning (nothing logged per
/// request: the baseline), at Information (the app's event), and at Information with the request log (the app's event and
/// the host's RequestCompleted: the shipped config.yaml). A fourth host, like the third with a buffer of one event, drops
/// nearly every event at once: its cost is the request thread's own share (creating and enqueuing the events), the rest
/// is the sinks' workers' (formatting and writing). Console output goes to a pipe the suite reads, as journald would.
/// </summary>
public sealed class LoggingCostBench(BenchContext context) : IBenchSection
{
    private const string Path = "/api/v1/version";

    /// <summary>The baseline first; <c>Target</c>: held to ≥ 0.95 × the baseline.</summary>
    private static readonly (string Name, BenchLogging Logging, bool Target)[] Variants =
    [
        ("Warning", new BenchLogging("Warning", RequestLog: true), false),
        ("Information", new BenchLogging("Information", RequestLog: false), true),
        ("Information + request log", new BenchLogging("Information", RequestLog: true), true),
        // Nearly every event is dropped at once: what is left is the request thread's own share of logging.
        ("Information + request log, bufferSize 1", new BenchLogging("Information", RequestLog: true, BufferSize: 1), false),
    ];

    public int Number => 6;
    public string Key => "logging";
    public string Title => "Logging cost";

    public IReadOnlyList<string> Notes =>
    [
        "6: four hosts serve the same ReportingApi; each round loads all four back to back (order rotating), and a round's ratios pair it with the Warning host's run of the same round. Events are written by the sinks' background workers from bounded buffers (logging.bufferSize): a request never waits for the console; events dropped because a buffer was full are counted in the host's status and shown here.",
    ];

    public async Task<IReadOnlyList<BenchRow>> RunAsync(CancellationToken cancellationToken)
    {
        var sizes = context.Sizes;
        var cpus = context.Pinning?.ServerCpus;
        var deployments = new List<Deployment>();
        var hosts = new List<ServerProcess>();
        try
        {
            foreach (var (_, logging, _) in Variants)
            {
                var deployment = new Deployment(context.Paths);
                deployments.Add(deployment);
                deployment.AddReportingApi("v1", "ReportingApi");
                deployment.Promote("v1");
                deployment.WriteConfig([BenchApp.Reporting("ReportingApi", "/api/v1")], sizes.Debounce, logging);
                hosts.Add(await ServerProcess.StartHostAsync(context.Paths, deployment.ConfigPath, Path, cpus, cancellationToken: cancellationToken));
            }

            context.Progress($"logging: warming up {hosts.Count} hosts ({sizes.ThroughputWarmup.TotalSeconds:0.#} s each)");
            foreach (var host in hosts)
            {
                await context.ThroughputLoad.RunAsync(host.Url(Path), sizes.ThroughputWarmup, cancellationToken);
            }

            var droppedBefore = new List<long>();
            foreach (var host in hosts)
            {
                droppedBefore.Add(await DroppedAsync(host, cancellationToken));
            }

            var runs = hosts.Select(_ => new List<MeasuredRun>()).ToList();
            for (var round = 0; round < sizes.OverheadRounds; round++)
            {
                for (var k = 0; k < hosts.Count; k++)
                {
                    var index = (k + round) % hosts.Count;
                    runs[index].Add(await MeasuredRun.RunAsync(context.ThroughputLoad, hosts[index], Path, sizes.OverheadDuration, cancellationToken));
                }

                context.Progress("logging: round " + (round + 1) + "/" + sizes.OverheadRounds + ": "
                    + string.Join(", ", Variants.Select((v, i) => Fmt.F($"{v.Name} {runs[i][^1].Load.RequestsPerSecond:0} req/s"))));
            }

            hosts.ForEach(h => h.EnsureRunning());
            var dropped = new List<long>();
            for (var i = 0; i < hosts.Count; i++)
            {
                dropped.Add(await DroppedAsync(hosts[i], cancellationToken) - droppedBefore[i]);
            }

            return Rows(runs, dropped);
        }
        finally
        {
            foreach (var host in hosts)
            {
                await host.DisposeAsync();
            }

            deployments.ForEach(d => d.Dispose());
        }
    }

    private List<BenchRow> Rows(List<List<MeasuredRun>> runs, List<long> dropped)
    {
        var rounds = context.Sizes.OverheadRounds;
        var baseline = runs[0];
        var baselineRps = Stats.Median(baseline.Select(r => r.Load.RequestsPerSecond));
        var rows = new List<BenchRow>();
        var perRound = new List<string>();
        for (var i = 1; i < runs.Count; i++)
        {
            var ratios = runs[i].Zip(baseline, (a, b) => a.Load.RequestsPerSecond / b.Load.RequestsPerSecond).ToList();
            var ratio = Stats.Median(ratios);
            var target = Variants[i].Target;
            rows.Add(new(Number, Fmt.F($"Throughput at {Variants[i].Name} (vs the same host at Warning), median of {rounds}; ratio = median of the rounds' ratios"),
                Fmt.PerSecond(Stats.Median(runs[i].Select(r => r.Load.RequestsPerSecond))), Fmt.PerSecond(baselineRps), Fmt.Ratio(ratio),
                target ? "≥ 0.95" : "", target ? BenchRow.Check(ratio >= 0.95) : Verdict.Info));
            perRound.Add(Variants[i].Name + ": " + string.Join(", ", ratios.Select(Fmt.Ratio)));
        }

        rows.Add(new(Number, "Throughput ratio of each round", string.Join("; ", perRound)));
        rows.Add(new(Number, "Server CPU time per request (median of rounds), " + string.Join(" / ", Variants.Skip(1).Select(v => v.Name)) + " (vs Warning)",
            string.Join(" / ", runs.Skip(1).Select(r => Fmt.F($"{Stats.Median(r.Select(x => x.CpuMicrosecondsPerRequest)):0.00} µs"))),
            Fmt.F($"{Stats.Median(baseline.Select(x => x.CpuMicrosecondsPerRequest)):0.00} µs")));
        rows.Add(new(Number, "Log events dropped during the rounds (buffer full), " + string.Join(" / ", Variants.Skip(1).Select(v => v.Name)),
            string.Join(" / ", dropped.Skip(1).Select(Fmt.Count))));
        var failures = runs.Sum(r => r.Sum(x => x.Load.Failures));
        rows.Add(new(Number, "Failed requests (non-2xx + socket errors), all hosts", Fmt.Count(failures), "", "", "0", BenchRow.Check(failures == 0)));
        return rows;
    }

    private static async Task<long> DroppedAsync(ServerProcess host, CancellationToken cancellationToken) =>
        (await host.StatusAsync(cancellationToken)).GetProperty("logging").GetProperty("dropped").GetInt64();
}
