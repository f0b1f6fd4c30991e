using PluginHost.Benchmarks.Infrastructure;
using PluginHost.Benchmarks.Reporting;

namespace PluginHost.Benchmarks.Sections;

/// <summary>
/// 2. Deploy (production → the other version, touch the trigger) → first response from the new version, polled every
/// few milliseconds, alternating v1/v2 of the sample ReportingApi; against restarting the same app as its own bare
/// Kestrel process (process start → first 200), interleaved in the same run.
/// </summary>
public sealed class ReloadLatencyBench(BenchContext context) : IBenchSection
{
    private static readonly TimeSpan ReloadTimeout = TimeSpan.FromSeconds(15);

    public int Number => 2;
    public string Key => "reload";
    public string Title => "Reload latency";

    public async Task<IReadOnlyList<BenchRow>> RunAsync(CancellationToken cancellationToken)
    {
        var sizes = context.Sizes;
        using var deployment = context.NewReportingDeployment();
        var reloads = new List<double>();
        var hostReported = new List<double>();
        var restarts = new List<double>();
        var restartEvery = Math.Max(1, sizes.Reloads / sizes.Restarts);
        double hostStartup;
        await using (var host = await ServerProcess.StartHostAsync(context.Paths, deployment.ConfigPath, "/api/v1/version", cancellationToken: cancellationToken))
        {
            hostStartup = host.StartupTime.TotalMilliseconds;
            var reloader = new Reloader(host, deployment, sizes.PollEvery);
            await reloader.InitAsync(cancellationToken);
            for (var i = 1; i <= sizes.Reloads; i++)
            {
                reloads.Add((await reloader.ReloadAsync(ReloadTimeout, cancellationToken)).TotalMilliseconds);

                // Reloads are seconds apart in real life: let the old generation unload before the next one.
                var status = await reloader.WaitSettledAsync(i, TimeSpan.FromSeconds(10), cancellationToken);
                hostReported.Add(status.GetProperty("lastReload").GetProperty("durationMs").GetInt64());
                if (i % restartEvery == 0 && restarts.Count < sizes.Restarts)
                {
                    await using var bare = await ServerProcess.StartBareAsync(context.Paths, "reporting", "/api/v1/version", cancellationToken: cancellationToken);
                    restarts.Add(bare.StartupTime.TotalMilliseconds);
                }

                if (i % 10 == 0 || i == sizes.Reloads)
                {
                    context.Progress(Fmt.F($"reload: {i}/{sizes.Reloads}, median so far {Stats.Median(reloads):0.0} ms; restarts median {Stats.Median(restarts):0} ms"));
                }
            }
        }

        var median = Stats.Median(reloads);
        var p99 = Stats.Percentile(reloads, 99);
        var restartMedian = Stats.Median(restarts);
        var restartP99 = Stats.Percentile(restarts, 99);
        return
        [
            new(Number, Fmt.F($"Deploy → new version served, median of {reloads.Count} (vs bare Kestrel restart, median of {restarts.Count})"),
                Fmt.Ms(median), Fmt.Ms(restartMedian), Fmt.Ratio(median / restartMedian), "≤ 50 ms and < restart", BenchRow.Check(median <= 50 && median < restartMedian)),
            new(Number, "Deploy → new version served, p99", Fmt.Ms(p99), Fmt.Ms(restartP99), Fmt.Ratio(p99 / restartP99), "≤ 150 ms", BenchRow.Check(p99 <= 150)),
            new(Number, "Fastest / slowest reload", Fmt.F($"{Fmt.Ms(reloads.Min())} / {Fmt.Ms(reloads.Max())}"), Fmt.F($"{Fmt.Ms(restarts.Min())} / {Fmt.Ms(restarts.Max())}")),
            new(Number, "Host's own build + warm-up + swap, median (status lastReload.durationMs)", Fmt.Ms(Stats.Median(hostReported))),
            new(Number, "Process start → first 200: host with 1 app (vs bare Kestrel)", Fmt.Ms(hostStartup), Fmt.Ms(restartMedian), Fmt.Ratio(hostStartup / restartMedian)),
        ];
    }
}
