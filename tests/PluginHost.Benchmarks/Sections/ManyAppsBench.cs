using System.Globalization;
using PluginHost.Benchmarks.Infrastructure;
using PluginHost.Benchmarks.Reporting;

namespace PluginHost.Benchmarks.Sections;

/// <summary>
/// 5. Hosts serving 1, 10 and 100 generated copies of the sample ReportingApi (mounted at /a000, /a001, …): process
/// start → first 200, and throughput of the last app's GET /health, loaded in rotating order. Baseline: 1 app.
/// </summary>
public sealed class ManyAppsBench(BenchContext context) : IBenchSection
{
    public int Number => 5;
    public string Key => "apps";
    public string Title => "Many apps";

    public async Task<IReadOnlyList<BenchRow>> RunAsync(CancellationToken cancellationToken)
    {
        var sizes = context.Sizes;
        var counts = sizes.AppCounts;
        var deployments = new List<Deployment>();
        var hosts = new List<ServerProcess>();
        try
        {
            foreach (var count in counts)
            {
                var deployment = new Deployment(context.Paths);
                deployments.Add(deployment);
                var apps = Enumerable.Range(0, count).Select(i => Name(i)).ToList();
                foreach (var app in apps)
                {
                    deployment.AddReportingApi("v1", app);
                }

                deployment.Promote("v1");
                deployment.WriteConfig(apps.Select(app => BenchApp.Reporting(app, "/" + app, "/health")), sizes.Debounce);
                hosts.Add(await ServerProcess.StartHostAsync(context.Paths, deployment.ConfigPath, LastAppPath(count), context.Pinning?.ServerCpus, cancellationToken: cancellationToken));
                context.Progress(Fmt.F($"apps: {count} app(s) serving after {hosts[^1].StartupTime.TotalMilliseconds:0} ms"));
            }

            foreach (var (host, count) in hosts.Zip(counts))
            {
                await context.ThroughputLoad.RunAsync(host.Url(LastAppPath(count)), sizes.ThroughputWarmup, cancellationToken);
            }

            var throughput = counts.ToDictionary(c => c, _ => new List<double>());
            var failures = counts.ToDictionary(c => c, _ => 0L);
            for (var round = 0; round < sizes.AppRounds; round++)
            {
                for (var k = 0; k < counts.Count; k++)
                {
                    var index = (k + round) % counts.Count;
                    var result = await context.ThroughputLoad.RunAsync(hosts[index].Url(LastAppPath(counts[index])), sizes.AppDuration, cancellationToken);
                    throughput[counts[index]].Add(result.RequestsPerSecond);
                    failures[counts[index]] += result.Failures;
                }

                context.Progress($"apps: round {round + 1}/{sizes.AppRounds}: " + string.Join(", ", counts.Select(c => Fmt.F($"{c} → {throughput[c][^1]:0} req/s"))));
            }

            hosts.ForEach(h => h.EnsureRunning());
            var one = counts[0];
            var rows = new List<BenchRow>();
            for (var k = 1; k < counts.Count; k++)
            {
                var (count, startup) = (counts[k], hosts[k].StartupTime.TotalMilliseconds);
                var baseline = hosts[0].StartupTime.TotalMilliseconds;
                rows.Add(new(Number, Fmt.F($"Process start → first 200 with {count} apps (vs {one})"), Fmt.Ms(startup), Fmt.Ms(baseline), Fmt.Ratio(startup / baseline)));
            }

            var oneRps = Stats.Median(throughput[one]);
            foreach (var count in counts.Skip(1))
            {
                var rps = Stats.Median(throughput[count]);
                var ratio = rps / oneRps;
                var isTarget = count == counts[^1] && count >= 100;
                rows.Add(new(Number, Fmt.F($"Throughput with {count} apps (vs {one}), median of {sizes.AppRounds}"), Fmt.PerSecond(rps), Fmt.PerSecond(oneRps), Fmt.Ratio(ratio),
                    isTarget ? "≥ 0.95" : "", isTarget ? BenchRow.Check(ratio >= 0.95 && failures[count] == 0 && failures[one] == 0) : Verdict.Info));
            }

            rows.Add(new(Number, "Failed requests (non-2xx + socket errors), " + string.Join(" / ", counts.Select(c => Fmt.F($"{c} app(s)"))),
                string.Join(" / ", counts.Select(c => Fmt.Count(failures[c]))), "", "", "0", BenchRow.Check(failures.Values.All(f => f == 0))));

            if (counts[^1] < 100)
            {
                rows.Add(new(Number, "Throughput with 100 apps", "not measured in this mode", "", "", "≥ 0.95", Verdict.Skipped));
            }

            return rows;
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

    private static string Name(int index) => "a" + index.ToString("000", CultureInfo.InvariantCulture);

    private static string LastAppPath(int count) => $"/{Name(count - 1)}/health";
}
