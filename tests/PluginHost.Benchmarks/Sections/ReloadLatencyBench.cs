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
    public int Number => 2;
    public string Key => "reload";
    public string Title => "Reload latency";

    public async Task<IReadOnlyList<BenchRow>> RunAsync(CancellationToken cancellationToken)
    {
        var sizes = context.Sizes;
        using var deployment = context.NewReportingDeployment();
        var hostReported = new List<double>();
        var breakdown = new List<DeployBreakdown>();
        var restarts = new RestartBaseline(sizes.Reloads, sizes.Restarts,
            ct => ServerProcess.StartBareAsync(context.Paths, "reporting", "/api/v1/version", cancellationToken: ct));
        double hostStartup;
        ReloadSeriesResult run;
        await using (var host = await ServerProcess.StartHostAsync(context.Paths, deployment.ConfigPath, "/api/v1/version", cancellationToken: cancellationToken))
        {
            hostStartup = host.StartupTime.TotalMilliseconds;
            // Reloads are seconds apart in real life: each one once the old generation unloaded.
            var reloader = new Reloader(host, deployment, sizes.PollEvery);
            var series = new ReloadSeries(context, host, reloader, "reload")
            {
                AfterSettled = async (i, status, ct) =>
                {
                    hostReported.Add(status.GetProperty("lastReload").GetProperty("durationMs").GetInt64());
                    breakdown.Add(DeployBreakdown.Of(reloader, status));
                    await restarts.AfterReloadAsync(i, ct);
                },
            };
            run = await series.RunAsync(sizes.Reloads, sizes.Reloads, backToBack: false, cancellationToken);
        }

        var restartMedian = Stats.Median(restarts.Times);
        return
        [
            .. LatencyRows(Number, run.Latencies, restarts.Times, "≤ 50 ms and < restart", median => median <= 50 && median < restartMedian, p99Target: 100),
            new(Number, "Host's own build + warm-up + swap, median (status lastReload.durationMs)", Fmt.Ms(Stats.Median(hostReported))),
            .. DeployBreakdown.Rows(Number, breakdown),
            new(Number, "Process start → first 200: host with 1 app (vs bare Kestrel)", Fmt.Ms(hostStartup), Fmt.Ms(restartMedian), Fmt.Ratio(hostStartup / restartMedian)),
        ];
    }

    /// <summary>Deploy → new version served beside the bare restarts: median (the target), p99, fastest and slowest.</summary>
    /// <param name="p99Target">The p99 must be at most this many milliseconds; null for no p99 target.</param>
    /// <param name="restartName">What the restarts restarted.</param>
    public static IEnumerable<BenchRow> LatencyRows(int section, IReadOnlyList<double> reloads, IReadOnlyList<double> restarts, string medianTarget,
        Func<double, bool> medianMet, double? p99Target = null, string restartName = "bare Kestrel restart")
    {
        ArgumentNullException.ThrowIfNull(reloads);
        ArgumentNullException.ThrowIfNull(restarts);
        ArgumentNullException.ThrowIfNull(medianMet);
        var (median, restartMedian) = (Stats.Median(reloads), Stats.Median(restarts));
        var (p99, restartP99) = (Stats.Percentile(reloads, 99), Stats.Percentile(restarts, 99));
        yield return new(section, Fmt.F($"Deploy → new version served, median of {reloads.Count} (vs {restartName}, median of {restarts.Count})"),
            Fmt.Ms(median), Fmt.Ms(restartMedian), Fmt.Ratio(median / restartMedian), medianTarget, BenchRow.Check(medianMet(median)));
        yield return p99Target is { } bound
            ? new(section, "Deploy → new version served, p99", Fmt.Ms(p99), Fmt.Ms(restartP99), Fmt.Ratio(p99 / restartP99), Fmt.F($"≤ {bound:0} ms"), BenchRow.Check(p99 <= bound))
            : new(section, "Deploy → new version served, p99", Fmt.Ms(p99), Fmt.Ms(restartP99), Fmt.Ratio(p99 / restartP99));
        if (reloads.Count > 0 && restarts.Count > 0)
        {
            yield return new(section, "Fastest / slowest reload", Fmt.F($"{Fmt.Ms(reloads.Min())} / {Fmt.Ms(reloads.Max())}"), Fmt.F($"{Fmt.Ms(restarts.Min())} / {Fmt.Ms(restarts.Max())}"));
        }
    }
}
