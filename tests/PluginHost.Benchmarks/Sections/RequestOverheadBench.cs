using PluginHost.Benchmarks.Infrastructure;
using PluginHost.Benchmarks.Load;
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

    public async Task<IReadOnlyList<BenchRow>> RunAsync(CancellationToken cancellationToken)
    {
        var sizes = context.Sizes;
        using var deployment = new Deployment(context.Paths);
        deployment.AddApp("v1", "TinyJson", "TinyJson");
        deployment.Promote("v1");
        deployment.WriteConfig([new BenchApp("TinyJson", "/api/v1", "TinyJson/TinyJson.dll", ["/"])], sizes.Debounce);

        await using var bare = await ServerProcess.StartBareAsync(context.Paths, "tiny", Path, cancellationToken);
        await using var host = await ServerProcess.StartHostAsync(context.Paths, deployment.ConfigPath, Path, cancellationToken);
        context.Progress($"overhead: warming up both servers ({sizes.Warmup.TotalSeconds:0.#} s each)");
        await context.Load.RunAsync(bare.Url(Path), sizes.Warmup, cancellationToken);
        await context.Load.RunAsync(host.Url(Path), sizes.Warmup, cancellationToken);

        var bareRuns = new List<LoadResult>();
        var hostRuns = new List<LoadResult>();
        for (var round = 1; round <= sizes.OverheadRounds; round++)
        {
            // a b, b a, a b …: a drift of the machine's speed falls on both sides alike.
            var bareFirst = round % 2 == 1;
            foreach (var (server, runs) in bareFirst ? new[] { (bare, bareRuns), (host, hostRuns) } : [(host, hostRuns), (bare, bareRuns)])
            {
                runs.Add(await context.Load.RunAsync(server.Url(Path), sizes.OverheadDuration, cancellationToken));
            }

            context.Progress(Fmt.F($"overhead: round {round}/{sizes.OverheadRounds}: bare {bareRuns[^1].RequestsPerSecond:0} req/s, host {hostRuns[^1].RequestsPerSecond:0} req/s"));
        }

        bare.EnsureRunning();
        host.EnsureRunning();
        var bareRps = Stats.Median(bareRuns.Select(r => r.RequestsPerSecond));
        var hostRps = Stats.Median(hostRuns.Select(r => r.RequestsPerSecond));
        var ratio = hostRps / bareRps;
        var perRound = bareRuns.Zip(hostRuns, (a, b) => Fmt.Ratio(b.RequestsPerSecond / a.RequestsPerSecond));
        var bareP50 = Stats.Median(bareRuns.Select(r => r.P50Ms));
        var hostP50 = Stats.Median(hostRuns.Select(r => r.P50Ms));
        var bareP99 = Stats.Median(bareRuns.Select(r => r.P99Ms));
        var hostP99 = Stats.Median(hostRuns.Select(r => r.P99Ms));
        var failures = bareRuns.Concat(hostRuns).Sum(r => r.Failures);
        return
        [
            new(Number, Fmt.F($"Throughput, median of {sizes.OverheadRounds} rounds (host vs bare Kestrel)"), Fmt.PerSecond(hostRps), Fmt.PerSecond(bareRps), Fmt.Ratio(ratio), "≥ 0.97", BenchRow.Check(ratio >= 0.97)),
            new(Number, "Throughput ratio per round", string.Join(", ", perRound)),
            new(Number, "Latency p50 (median of rounds)", Fmt.Ms(hostP50), Fmt.Ms(bareP50), Fmt.Ratio(hostP50 / bareP50)),
            new(Number, "Latency p99 (median of rounds)", Fmt.Ms(hostP99), Fmt.Ms(bareP99), Fmt.Ratio(hostP99 / bareP99)),
            new(Number, "Failed requests (non-2xx + socket errors)", Fmt.Count(hostRuns.Sum(r => r.Failures)), Fmt.Count(bareRuns.Sum(r => r.Failures)), "", "0", BenchRow.Check(failures == 0)),
        ];
    }
}
