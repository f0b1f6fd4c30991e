using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using PluginHost.Benchmarks.Infrastructure;
using PluginHost.Benchmarks.Reporting;

namespace PluginHost.Benchmarks.Sections;

/// <summary>
/// 11. Warm swaps (issue 15), on one host with <c>reload.keepPrevious: true</c> and three releases of the sample ReportingApi
/// (v1, v2 with the sum-v2 library, v3 a copy of v1): deploy (a link flip, nothing touched) → first answer from the new
/// version, polled every few milliseconds, for a rollback to the warm standby and for a promote prepared ahead
/// (<c>POST {admin}/prepare</c>, then the flip), against a built reload of the same host in the same run (a flip to the
/// release two back, which is never warm) and a restart of the app as its own bare Kestrel process. Each deploy waits for
/// the previous one's retired generations to be collected, as deploys are paced. Then the memory one standby holds: the
/// host's RSS and managed heap after a full collection with a standby, against the same host once it was let go.
/// </summary>
public sealed class WarmSwapBench(BenchContext context) : IBenchSection
{
    private static readonly string[] Versions = ["v1", "v2", "v3"];
    private const int MemoryPairs = 3;

    /// <summary>
    /// Deploys are paced: a flip within the reload debounce's quiet period of the one before is part of a burst, which the
    /// host holds until the burst is quiet. A swap retires nothing to wait for, so without a gap flips would follow each
    /// other within milliseconds.
    /// </summary>
    private static readonly TimeSpan DeployGap = TimeSpan.FromMilliseconds(100);

    public int Number => 11;
    public string Key => "warm";
    public string Title => "Instant rollback and prepared promote";

    public IReadOnlyList<string> Notes =>
    [
        "11: deploys are link flips only (no trigger touched: a touch reloads the served release, which lets the standby go). Built = a flip to the release two back (never warm) on the same host; restart = the app as its own bare Kestrel process, start → first 200.",
    ];

    public async Task<IReadOnlyList<BenchRow>> RunAsync(CancellationToken cancellationToken)
    {
        var sizes = context.Sizes;
        using var deployment = context.NewDeployment(d =>
        {
            d.AddReportingApi("v1", "ReportingApi");
            d.AddReportingApi("v2", "ReportingApi", aggregationV2: true);
            d.AddReportingApi("v3", "ReportingApi");
            d.Promote("v1");
            d.WriteConfig([BenchApp.Reporting("ReportingApi", "/api/v1")], sizes.Debounce, keepPrevious: true);
        });
        var restarts = new RestartBaseline(sizes.Reloads, sizes.Restarts,
            ct => ServerProcess.StartBareAsync(context.Paths, "reporting", "/api/v1/version", cancellationToken: ct));
        await using var host = await ServerProcess.StartHostAsync(context.Paths, deployment.ConfigPath, "/api/v1/version", cancellationToken: cancellationToken);
        var deployer = new FlipDeployer(host, deployment);
        var load = new List<double> { MachineLoad.OneMinute() };
        var built = await SeriesAsync("built", deployer, sizes.Reloads, sizes.PollEvery, (i, ct) => Task.FromResult(deployer.Cold()), restarts.AfterReloadAsync, cancellationToken);
        load.Add(MachineLoad.OneMinute());
        var rollback = await WarmSeriesAsync("standby", deployer, (i, ct) => Task.FromResult(deployer.Standby()), load, cancellationToken);
        var prepared = await WarmSeriesAsync("prepared", deployer, (i, ct) => PrepareNextAsync(host, deployer, ct), load, cancellationToken);
        var memory = await StandbyMemoryAsync(host, deployment, deployer, cancellationToken);
        load.Add(MachineLoad.OneMinute());
        context.Progress(Fmt.F($"warm: load average {string.Join(" / ", load.Select(l => l.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture)))}"));
        var rows = Rows(built, rollback, prepared, restarts.Times, memory, MachineLoad.Describe(load)).ToList();
        rows.AddRange(await CanaryThroughputAsync(cancellationToken));
        return rows;
    }

    /// <summary>
    /// Throughput of a host running a 10 % canary against the same host without one: two hosts of their own deployments,
    /// loaded alike in alternating rounds. The load generator keeps no cookies, so every request is a new client that the
    /// split assigns and answers with a cookie: the canary's costliest case.
    /// </summary>
    private async Task<IReadOnlyList<BenchRow>> CanaryThroughputAsync(CancellationToken cancellationToken)
    {
        const string Path = "/api/v1/version";
        using var plain = CanaryDeployment();
        using var split = CanaryDeployment();
        await using var without = await ServerProcess.StartHostAsync(context.Paths, plain.ConfigPath, Path, cancellationToken: cancellationToken);
        await using var with = await ServerProcess.StartHostAsync(context.Paths, split.ConfigPath, Path, cancellationToken: cancellationToken);
        using (var start = await with.Client.PostAsync(new Uri("/_pluginhost/canary?version=v2&share=10", UriKind.Relative), null, cancellationToken))
        {
            if (!start.IsSuccessStatusCode)
            {
                throw new BenchException(Fmt.F($"the canary did not start: {(int)start.StatusCode} {await start.Content.ReadAsStringAsync(cancellationToken)}"));
            }
        }

        var comparison = await ThroughputComparison.RunAsync(context, Key + " (canary)", new("no canary", without, Path), new("10 % canary", with, Path), cancellationToken);
        var canary = (await with.Client.GetFromJsonAsync<JsonElement>(new Uri("/_pluginhost/status", UriKind.Relative), cancellationToken)).GetProperty("canary");
        var (onCanary, onStable) = (canary.GetProperty("canary").GetProperty("requests").GetInt64(), canary.GetProperty("stable").GetProperty("requests").GetInt64());
        var share = (double)onCanary / Math.Max(1, onCanary + onStable);
        var rows = comparison.Rows(Number, target: 0.97, subject: "10 % canary, new clients (vs the same host without a canary): ").ToList();
        rows.Add(new(Number, "10 % canary: share of the requests the canary served (status canary)", Fmt.F($"{share * 100:0.0} %"), "", "", "10 % ± 3 %",
            BenchRow.Check(Math.Abs(share - 0.10) <= 0.03)));
        rows.Add(new(Number, "Machine load during the canary rounds", comparison.Noise));
        return rows;
    }

    /// <summary>v2 is a copy of v1 in its own folder: the canary is another generation running the same code, so the rounds
    /// measure the split, not a difference between the versions' handlers.</summary>
    private Deployment CanaryDeployment() => context.NewDeployment(d =>
    {
        d.AddReportingApi("v1", "ReportingApi");
        d.AddReportingApi("v2", "ReportingApi");
        d.Promote("v1");
        d.WriteConfig([BenchApp.Reporting("ReportingApi", "/api/v1")], context.Sizes.Debounce, keepPrevious: true);
    });

    private IEnumerable<BenchRow> Rows(DeploySeries built, (DeploySeries Polled2Ms, DeploySeries BackToBack) rollback,
        (DeploySeries Polled2Ms, DeploySeries BackToBack) prepared, IReadOnlyList<double> restarts, (double Rss, double Assemblies) memory, string noise)
    {
        var builtMedian = Stats.Median(built.Latencies);
        foreach (var ((polled, series), name) in new[] { (rollback, "Instant rollback (warm standby)"), (prepared, "Prepared promote") })
        {
            var (median, p99) = (Stats.Median(series.Latencies), Stats.Percentile(series.Latencies, 99));
            yield return new(Number, Fmt.F($"{name}: deploy → new version served, polled back to back, median of {series.Latencies.Count} (vs built reload, same host)"),
                Fmt.Ms(median), Fmt.Ms(builtMedian), Fmt.Ratio(median / builtMedian), "≤ 5 ms", BenchRow.Check(median <= 5));
            yield return new(Number, Fmt.F($"{name}: p99, polled back to back (vs built reload p99)"), Fmt.Ms(p99), Fmt.Ms(Stats.Percentile(built.Latencies, 99)),
                Fmt.Ratio(p99 / Stats.Percentile(built.Latencies, 99)), "≤ 20 ms", BenchRow.Check(p99 <= 20));
            yield return new(Number, Fmt.F($"{name}: deploy → new version served, polled every {context.Sizes.PollEvery.TotalMilliseconds:0} ms as the built reloads, median / p99 of {polled.Latencies.Count}"),
                Fmt.MedianAndP99(polled.Latencies));
            foreach (var row in DeployBreakdown.Rows(Number, series.Breakdown, name + ", polled back to back: ").Take(2))
            {
                yield return row;
            }

            yield return new(Number, Fmt.F($"{name}: the request the new version first answered took, median / p99"),
                Fmt.MedianAndP99(series.FirstAnswerMs));
            var (swaps, asExpected) = (series.Latencies.Count + polled.Latencies.Count, series.AsExpected + polled.AsExpected);
            yield return new(Number, Fmt.F($"{name}: swaps the host reported as {series.Kind} (status lastReload.swap); its own swap time, median"),
                Fmt.F($"{asExpected} of {swaps}; {Fmt.Ms(Stats.Median([.. series.HostMs, .. polled.HostMs]))}"), "", "", Fmt.F($"{swaps} of {swaps}"),
                BenchRow.Check(asExpected == swaps));
        }

        yield return new(Number, Fmt.F($"Built reload, median of {built.Latencies.Count} (vs bare Kestrel restart, median of {restarts.Count})"),
            Fmt.Ms(builtMedian), Fmt.Ms(Stats.Median(restarts)), Fmt.Ratio(builtMedian / Stats.Median(restarts)));
        yield return new(Number, Fmt.F($"Built reloads the host reported as built"), Fmt.F($"{built.AsExpected} of {built.Latencies.Count}"));
        foreach (var row in DeployBreakdown.Rows(Number, built.Breakdown, "Built reload: ").Take(2))
        {
            yield return row;
        }

        yield return new(Number, "Built reload: the request the new version first answered took, median / p99",
            Fmt.MedianAndP99(built.FirstAnswerMs));

        yield return new(Number, Fmt.F($"Memory held by one standby generation (ReportingApi), median of {MemoryPairs}: host RSS growth when it is kept / its release's assemblies"),
            Fmt.F($"{Fmt.MBSigned(memory.Rss)} / {Fmt.MB(memory.Assemblies)}"));
        yield return new(Number, "Machine load during the section", noise);
    }

    /// <summary>Deploys <paramref name="count"/> times, each once the previous deploy's retired generations were collected.</summary>
    /// <param name="pollEvery">The pause between the polls that look for the new version; zero: each as soon as the last one answered.</param>
    private async Task<DeploySeries> SeriesAsync(string kind, FlipDeployer deployer, int count, TimeSpan pollEvery, Func<int, CancellationToken, Task<string>> target,
        Func<int, CancellationToken, Task>? afterEach, CancellationToken cancellationToken)
    {
        var series = new DeploySeries(kind);
        for (var i = 1; i <= count; i++)
        {
            var version = await target(i, cancellationToken);
            series.Latencies.Add((await deployer.DeployAsync(version, pollEvery, cancellationToken)).TotalMilliseconds);
            var status = await deployer.SettleAsync(cancellationToken);
            series.Breakdown.Add(DeployBreakdown.Of(deployer.Generation, deployer.LastDeployUtc, deployer.LastServedUtc, status));
            series.FirstAnswerMs.Add(deployer.LastAnswerMs);
            var last = status.GetProperty("lastReload");
            series.HostMs.Add(last.GetProperty("durationMs").GetInt64());
            series.AsExpected += last.TryGetProperty("swap", out var swap) && swap.GetString() == kind ? 1 : 0;
            if (afterEach is not null)
            {
                await afterEach(i, cancellationToken);
            }

            await Task.Delay(DeployGap, cancellationToken);
        }

        context.Progress(Fmt.F($"warm: {kind}, polled every {pollEvery.TotalMilliseconds:0} ms: {count} deploys, median {Stats.Median(series.Latencies):0.00} ms, p99 {Stats.Percentile(series.Latencies, 99):0.00} ms"));
        return series;
    }

    /// <summary>
    /// A warm swap's deploys twice: polled every 2 ms like the other sections' deploys, and polled back to back. A warm swap
    /// takes about a millisecond, so the 2 ms poll's own period (a 2 ms delay lasts 2–3 ms) would be most of the figure: the
    /// first poll after the flip comes before the swap, the next one 2–3 ms later.
    /// </summary>
    private async Task<(DeploySeries Polled2Ms, DeploySeries BackToBack)> WarmSeriesAsync(string kind, FlipDeployer deployer,
        Func<int, CancellationToken, Task<string>> target, List<double> load, CancellationToken cancellationToken)
    {
        var sizes = context.Sizes;
        var polled = await SeriesAsync(kind, deployer, sizes.Reloads, sizes.PollEvery, target, null, cancellationToken);
        load.Add(MachineLoad.OneMinute());
        var backToBack = await SeriesAsync(kind, deployer, sizes.Reloads, TimeSpan.Zero, target, null, cancellationToken);
        load.Add(MachineLoad.OneMinute());
        return (polled, backToBack);
    }

    /// <summary>Prepares the release two back (the one a promote would not find warm) and returns it.</summary>
    private static async Task<string> PrepareNextAsync(ServerProcess host, FlipDeployer deployer, CancellationToken cancellationToken)
    {
        var version = deployer.Cold();
        using var response = await host.Client.PostAsync(new Uri($"/_pluginhost/prepare?version={version}", UriKind.Relative), null, cancellationToken);
        var result = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
        if (!result.GetProperty("ok").GetBoolean())
        {
            throw new BenchException($"prepare {version} failed: {result.GetProperty("error").GetString()}");
        }

        // Prepared ahead, as an operator does minutes before the promote: the build's own after-effects have passed.
        await deployer.SettleAsync(cancellationToken);
        return version;
    }

    /// <summary>
    /// The host's RSS without a standby (a touch reloads the served release and lets the standby go), then with one (a flip to
    /// a cold release: the generation it replaces stays as the standby), each once every retired generation was collected.
    /// RSS growth, not shrinkage: memory the runtime freed is not always given back to the system. Also the size of the
    /// release's assemblies, which each generation reads into memory (status standbys[].assemblyBytes).
    /// </summary>
    private static async Task<(double Rss, double Assemblies)> StandbyMemoryAsync(ServerProcess host, Deployment deployment, FlipDeployer deployer,
        CancellationToken cancellationToken)
    {
        var rss = new List<double>();
        double assemblies = double.NaN;
        for (var i = 0; i < MemoryPairs; i++)
        {
            var generation = (await deployer.SettleAsync(cancellationToken)).GetProperty("generation").GetInt64();
            deployment.Touch();
            await deployer.SettleAsync(cancellationToken, afterGeneration: generation);
            var without = host.RssBytes();
            await deployer.DeployAsync(deployer.Cold(), TimeSpan.FromMilliseconds(20), cancellationToken);
            var with = await deployer.SettleAsync(cancellationToken);
            rss.Add(host.RssBytes() - without);
            assemblies = with.GetProperty("standbys").EnumerateArray().Select(s => (double)s.GetProperty("assemblyBytes").GetInt64()).DefaultIfEmpty(double.NaN).First();
        }

        return (Stats.Median(rss), assemblies);
    }

    private sealed class DeploySeries(string kind)
    {
        public string Kind { get; } = kind;
        public List<double> Latencies { get; } = [];
        public List<double> HostMs { get; } = [];
        public List<DeployBreakdown> Breakdown { get; } = [];
        public List<double> FirstAnswerMs { get; } = [];
        public int AsExpected { get; set; }
    }

    /// <summary>Flips production between v1, v2 and v3 and polls until the new version answers from a new generation.</summary>
    private sealed class FlipDeployer(ServerProcess host, Deployment deployment)
    {
        private readonly List<string> _served = ["v1"];
        private long _generation = -1;

        /// <summary>The generation that served the last deploy.</summary>
        public long Generation => _generation;

        /// <summary>The wall-clock times of the last deploy's flip and of its first answer, to line up with the host's status.</summary>
        public DateTime LastDeployUtc { get; private set; }

        public DateTime LastServedUtc { get; private set; }

        /// <summary>How long the request that the new version first answered took (the new generation's first requests).</summary>
        public double LastAnswerMs { get; private set; }

        /// <summary>The standby's release (the one served before the current one).</summary>
        public string Standby() => _served.Count > 1 ? _served[^2] : Cold();

        /// <summary>A release neither served nor held warm as the rollback standby: a flip to it builds.</summary>
        public string Cold() => Versions.First(v => v != _served[^1] && (_served.Count < 2 || v != _served[^2]));

        public async Task<TimeSpan> DeployAsync(string version, TimeSpan pollEvery, CancellationToken cancellationToken)
        {
            var before = _generation >= 0 ? _generation : (await ServedAsync(cancellationToken)).Generation;
            var started = Stopwatch.GetTimestamp();
            LastDeployUtc = DateTime.UtcNow;
            deployment.Promote(version);
            while (true)
            {
                var asked = Stopwatch.GetTimestamp();
                var (served, generation) = await ServedAsync(cancellationToken);
                var elapsed = Stopwatch.GetElapsedTime(started);
                if (served == version && generation != before)
                {
                    LastServedUtc = DateTime.UtcNow;
                    LastAnswerMs = Stopwatch.GetElapsedTime(asked).TotalMilliseconds;
                    _generation = generation;
                    _served.Add(version);
                    return elapsed;
                }

                if (elapsed > TimeSpan.FromSeconds(15))
                {
                    host.EnsureRunning();
                    throw new BenchException($"{version} was not served within 15 s of the flip (still {served} generation {generation}).");
                }

                if (pollEvery > TimeSpan.Zero)
                {
                    await Task.Delay(pollEvery, cancellationToken);
                }
            }
        }

        /// <summary>Waits until no retired generation is alive and no reload is pending (a newer generation than <paramref name="afterGeneration"/>, when given).</summary>
        public async Task<JsonElement> SettleAsync(CancellationToken cancellationToken, long? afterGeneration = null)
        {
            var started = Stopwatch.GetTimestamp();
            while (true)
            {
                var status = await host.StatusAsync(cancellationToken);
                var settled = status.GetProperty("retiredAlive").GetArrayLength() == 0 && status.GetProperty("retiring").GetArrayLength() == 0
                    && (afterGeneration is not { } after || status.GetProperty("generation").GetInt64() > after);
                if (settled || Stopwatch.GetElapsedTime(started) > TimeSpan.FromSeconds(60))
                {
                    _generation = status.GetProperty("generation").GetInt64();
                    return status;
                }

                await Task.Delay(20, cancellationToken);
            }
        }

        private async Task<(string Version, long Generation)> ServedAsync(CancellationToken cancellationToken)
        {
            var answer = await host.Client.GetFromJsonAsync<JsonElement>(new Uri("/api/v1/version", UriKind.Relative), cancellationToken);
            return (answer.GetProperty("version").GetString() ?? "", answer.GetProperty("generation").GetInt64());
        }
    }
}
