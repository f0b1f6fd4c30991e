using PluginHost.Benchmarks.Infrastructure;
using PluginHost.Benchmarks.Load;
using PluginHost.Benchmarks.Reporting;

namespace PluginHost.Benchmarks.Sections;

/// <summary>
/// 12. Process mode (<c>apps[].isolation: process</c>: each generation of the app in a worker process, the host forwarding
/// to it over a Unix socket with YARP). Throughput and latency of the TinyJson endpoint served by the host forwarding to a
/// worker, by the host in-process and by bare Kestrel, as section 1 measures them (the three in rounds of one run, each
/// pinned to the same CPU: a host and its worker share it); p50 latency again at one connection, where it is the time of one
/// request and not of a queue. Then deploys of ReportingApi (v1 ⇄ v2 and a touch, as section 2) run as a process app: under
/// load (every request must succeed) against restarting the app as its own bare Kestrel process, spread over the same run;
/// paced deploys for the host's and the worker's memory; and a diagnostic run whose host logs at Information cuts a deploy
/// into the worker's start, the app's load, the worker's readiness and the host's warm-up and swap.
/// </summary>
public sealed class ProcessModeBench(BenchContext context) : IBenchSection
{
    private const string TinyPath = "/api/v1/";
    private const string VersionPath = "/api/v1/version";
    private const string Isolated = "process";

    /// <summary>Added p50 latency of a request forwarded to a worker, at one connection (issue 14).</summary>
    private const double AddedLatencyTargetMs = 0.15;

    /// <summary>Deploy → new version served, median (issue 14).</summary>
    private const double ReloadTargetMs = 400;

    /// <summary>A deploy starts a process: on a busy 2-core machine that can take seconds, more than an in-process reload's bound.</summary>
    private static readonly TimeSpan WorkerReloadTimeout = TimeSpan.FromSeconds(60);

    private readonly List<string> _notes = [];

    public int Number => 12;
    public string Key => "process";
    public string Title => "Process mode";

    public IReadOnlyList<string> Notes => _notes;

    public async Task<IReadOnlyList<BenchRow>> RunAsync(CancellationToken cancellationToken)
    {
        _notes.Clear();
        var rows = new List<BenchRow>();
        rows.AddRange(await ThroughputAsync(cancellationToken));
        rows.AddRange(await ReloadsUnderLoadAsync(cancellationToken));
        rows.AddRange(await MemoryAsync(cancellationToken));
        rows.AddRange(await DiagnosticAsync(cancellationToken));
        return rows;
    }

    private async Task<IEnumerable<BenchRow>> ThroughputAsync(CancellationToken cancellationToken)
    {
        var sizes = context.Sizes;
        using var inProcess = TinyDeployment(isolation: null);
        using var isolated = TinyDeployment(Isolated);
        var cpus = context.Pinning?.ServerCpus;
        await using var bare = await ServerProcess.StartBareAsync(context.Paths, "tiny", TinyPath, cpus, cancellationToken: cancellationToken);
        await using var host = await ServerProcess.StartHostAsync(context.Paths, inProcess.ConfigPath, TinyPath, cpus, cancellationToken: cancellationToken);
        await using var forwarding = await ServerProcess.StartHostAsync(context.Paths, isolated.ConfigPath, TinyPath, cpus, cancellationToken: cancellationToken);
        ThroughputSide[] sides = [new("bare", bare, TinyPath), new("in-process", host, TinyPath), new("process", forwarding, TinyPath)];
        var comparison = await ThroughputComparison.RunAsync(context, Key, sides, cancellationToken: cancellationToken);
        var oneConnection = await OneConnectionLoadAsync(cancellationToken);
        var single = await ThroughputComparison.RunAsync(context, Key + " (1 connection)", sides, oneConnection, warmUp: false, cancellationToken);
        var worker = (await forwarding.StatusAsync(cancellationToken)).GetProperty("apps")[0].GetProperty("worker");
        var (hostRss, workerRss) = (forwarding.RssBytes(), worker.GetProperty("rssBytes").GetInt64());

        double P50(int side) => Stats.Median(single.Runs(side).Select(r => r.Load.P50Ms));
        var added = single.Runs(2).Zip(single.Runs(1), (process, inProc) => process.Load.P50Ms - inProc.Load.P50Ms).ToList();
        var addedMedian = Stats.Median(added);
        var singleFailures = Enumerable.Range(0, sides.Length).Sum(i => single.Runs(i).Sum(r => r.Load.Failures));
        _notes.Add("12: throughput: the TinyJson endpoint of section 1 served by bare Kestrel, by the host in-process and by a host forwarding to its worker "
            + "(isolation: process), each pinned to the same CPU (a host and its worker share it) and warmed up as section 1, then "
            + Fmt.F($"{sizes.OverheadRounds} rounds loading the three back to back (order reversed every other round); the process side's CPU time is the host's and its worker's. Noise: {comparison.Noise}. ")
            + Fmt.F($"Latency at one connection ({oneConnection.Description}): {sizes.OverheadRounds} more rounds of the three; added latency = the median of each round's process p50 − in-process p50. Noise: {single.Noise}."));
        return
        [
            .. comparison.Rows(Number, target: 0.6, subject: "Process mode vs in-process: ", host: 2, baseline: 1),
            new(Number, "Throughput in-process vs bare Kestrel / process mode vs bare Kestrel, median of the rounds' ratios",
                Fmt.F($"{Fmt.Ratio(Stats.Median(comparison.RatiosOf(1, 0)))} / {Fmt.Ratio(Stats.Median(comparison.RatiosOf(2, 0)))}"),
                Fmt.PerSecond(Stats.Median(comparison.Runs(0).Select(r => r.Load.RequestsPerSecond)))),
            new(Number, "Server CPU time per request: process mode (host + worker) / in-process (vs bare Kestrel)",
                Fmt.F($"{Stats.Median(comparison.Runs(2).Select(r => r.CpuMicrosecondsPerRequest)):0.00} µs / {Stats.Median(comparison.Runs(1).Select(r => r.CpuMicrosecondsPerRequest)):0.00} µs"),
                Fmt.F($"{Stats.Median(comparison.Runs(0).Select(r => r.CpuMicrosecondsPerRequest)):0.00} µs")),
            new(Number, "Latency p50 at 1 connection, added by process mode (median of the rounds' process − in-process)", Microseconds(addedMedian),
                "", "", Fmt.F($"≤ {AddedLatencyTargetMs * 1000:0} µs"), BenchRow.Check(addedMedian <= AddedLatencyTargetMs)),
            new(Number, "Latency p50 at 1 connection: process mode / in-process (vs bare Kestrel), median of rounds",
                Fmt.F($"{Microseconds(P50(2))} / {Microseconds(P50(1))}"), Microseconds(P50(0)), Fmt.Ratio(P50(2) / P50(1))),
            new(Number, "Latency p50 added by process mode at 1 connection, each round", string.Join(", ", added.Select(Microseconds))),
            new(Number, "Throughput at 1 connection: process mode / in-process (vs bare Kestrel), median of rounds",
                Fmt.F($"{Fmt.PerSecond(Stats.Median(single.Runs(2).Select(r => r.Load.RequestsPerSecond)))} / {Fmt.PerSecond(Stats.Median(single.Runs(1).Select(r => r.Load.RequestsPerSecond)))}"),
                Fmt.PerSecond(Stats.Median(single.Runs(0).Select(r => r.Load.RequestsPerSecond))), Fmt.Ratio(Stats.Median(single.RatiosOf(2, 1)))),
            new(Number, "Failed requests at 1 connection (non-2xx + socket errors), all three", Fmt.Count(singleFailures), "", "", "0", BenchRow.Check(singleFailures == 0)),
            new(Number, "RSS after the rounds: process mode's host + worker (vs the in-process host)", Fmt.F($"{Fmt.MB(hostRss)} + {Fmt.MB(workerRss)}"), Fmt.MB(host.RssBytes())),
        ];
    }

    /// <summary>Deploys under load on the app's own path, each once the previous worker stopped, beside bare restarts.</summary>
    private async Task<IEnumerable<BenchRow>> ReloadsUnderLoadAsync(CancellationToken cancellationToken)
    {
        var sizes = context.Sizes;
        using var deployment = ReportingDeployment(minimumLevel: null);
        var restarts = new RestartBaseline(sizes.ProcessLoadReloads, sizes.Restarts,
            ct => ServerProcess.StartBareAsync(context.Paths, "reporting", VersionPath, cancellationToken: ct));
        await using var host = await ServerProcess.StartHostAsync(context.Paths, deployment.ConfigPath, VersionPath, cancellationToken: cancellationToken);
        var reloader = NewReloader(host, deployment, waitForReadySpares: true);
        var generationBefore = (await host.StatusAsync(cancellationToken)).GetProperty("generation").GetInt64();
        var series = new ReloadSeries(context, host, reloader, Key + " (under load)")
        {
            ReloadTimeout = WorkerReloadTimeout,
            AfterSettled = (i, _, ct) => restarts.AfterReloadAsync(i, ct),
        };
        using var stopLoad = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var seriesDone = series.RunAsync(sizes.ProcessLoadReloads, sizes.ProcessLoadReloads, backToBack: false, cancellationToken);
        var loads = await LoadWhileAsync(host.Url(VersionPath), seriesDone, cancellationToken);
        var run = await seriesDone;
        var status = run.End.Status;
        var failedReloads = status.GetProperty("reloads").EnumerateArray().Count(r => !r.GetProperty("ok").GetBoolean());
        var generations = status.GetProperty("generation").GetInt64() - generationBefore;
        var (requests, non2xx, socketErrors) = (loads.Sum(l => l.Requests), loads.Sum(l => l.Non2xx), loads.Sum(l => l.SocketErrors));
        var restartMedian = Stats.Median(restarts.Times);
        _notes.Add(Fmt.F($"12: reloads under load: ReportingApi as a process app at /api/v1, production v1 ⇄ v2 and a touch of the trigger, then GET /api/v1/version every {sizes.PollEvery.TotalMilliseconds:0} ms until the other version answers; ")
            + Fmt.F($"each next deploy once the old worker stopped and the host's spare worker had rehearsed (status spares.ready), as deploys minutes apart find it; meanwhile {context.Load.Description} on /api/v1/version, unpinned, in runs of {LoadChunk(sizes).TotalSeconds:0.#} s back to back. ")
            + Fmt.F($"Baseline: ReportingApi started as its own bare Kestrel process (start → first 200), {restarts.Times.Count} times spread over the run, under the same load. Noise: {run.Noise}."));
        List<BenchRow> rows =
        [
            .. ReloadLatencyBench.LatencyRows(Number, run.Latencies, restarts.Times, Fmt.F($"≤ {ReloadTargetMs:0} ms"), median => median <= ReloadTargetMs,
                restartName: "bare Kestrel restart, under the same load"),
            new(Number, Fmt.F($"Requests during the deploys ({loads.Count} load runs, {Stats.Median(loads.Select(l => l.RequestsPerSecond)):#,0} req/s median); latency p50 / p99 (medians of the runs)"),
                Fmt.Count(requests), Fmt.F($"{Fmt.Ms(Stats.Median(loads.Select(l => l.P50Ms)))} / {Fmt.Ms(Stats.Median(loads.Select(l => l.P99Ms)))}")),
            new(Number, "Failed requests during the deploys: non-2xx / socket errors (connect, read, write, timeout)", Fmt.F($"{Fmt.Count(non2xx)} / {Fmt.Count(socketErrors)}"),
                "", "", "0", BenchRow.Check(non2xx + socketErrors == 0)),
            new(Number, "Deploys / reloads (the flip and the touch seen apart make two) / failed reloads", Fmt.F($"{run.Latencies.Count} / {generations} / {failedReloads}"),
                "", "", "all succeed", BenchRow.Check(failedReloads == 0 && run.Latencies.Count == sizes.ProcessLoadReloads)),
            new(Number, "Process start → first 200: host with ReportingApi in a worker (vs bare Kestrel)", Fmt.Ms(host.StartupTime.TotalMilliseconds), Fmt.Ms(restartMedian),
                Fmt.Ratio(host.StartupTime.TotalMilliseconds / restartMedian)),
        ];
        AddStoppedEarly(rows, run, sizes.ProcessLoadReloads);
        return rows;
    }

    /// <summary>Paced deploys without load: the host's RSS at the checkpoint and at the end, and the worker's.</summary>
    private async Task<IEnumerable<BenchRow>> MemoryAsync(CancellationToken cancellationToken)
    {
        var sizes = context.Sizes;
        var (checkpoint, total) = (sizes.ProcessCheckpoint, sizes.ProcessReloads);
        using var deployment = ReportingDeployment(minimumLevel: null, withLeakingApp: true);
        await using var host = await ServerProcess.StartHostAsync(context.Paths, deployment.ConfigPath, VersionPath, cancellationToken: cancellationToken);
        var run = await new ReloadSeries(context, host, NewReloader(host, deployment), Key + " (memory)") { ReloadTimeout = WorkerReloadTimeout }.RunAsync(total, checkpoint, backToBack: false, cancellationToken);
        var at = run.AtCheckpoint ?? run.Start;
        static string WorkerRss(HostSnapshot snapshot) => string.Join(" + ", snapshot.Status.GetProperty("apps").EnumerateArray()
            .Select(app => Fmt.MB(app.GetProperty("worker").GetProperty("rssBytes").GetInt64())));
        var children = ChildProcess.ChildIds(host.ProcessId);
        var workers = children.Count;
        // Each process app has its serving worker and one spare started ahead for the next deploy.
        var expectedWorkers = 2 * run.End.Status.GetProperty("apps").GetArrayLength();
        if (workers > expectedWorkers)
        {
            _notes.Add("12: memory: the host's child processes at the end: " + string.Join("; ", children.Select(ChildProcess.Describe)));
        }

        _notes.Add(Fmt.F($"12: memory: {total} paced deploys of a release with two process apps, ReportingApi and the LeaksOnProcessExit test plugin (an AppDomain.ProcessExit ")
            + "handler that roots every generation it loads), each deploy once the old workers stopped (the spares possibly still rehearsing), no load; RSS from /proc/<pid>/status for the host, "
            + Fmt.F($"the workers' from the host's status (apps[].worker.rssBytes). Noise: {run.Noise}."));
        List<BenchRow> rows =
        [
            new(Number, Fmt.F($"Host RSS growth from reload {checkpoint} to {total} (paced process-mode deploys)"), Fmt.MBSigned(run.RssGrowth),
                Fmt.F($"{Fmt.MB(at.Rss)} at {checkpoint}"), Fmt.Ratio((double)run.End.Rss / at.Rss), "< 5 MB", BenchRow.Check(run.RssGrowth < 5 * 1024 * 1024)),
            new(Number, Fmt.F($"Host RSS at start / at reload {checkpoint} / at reload {total}"), Fmt.F($"{Fmt.MB(run.Start.Rss)} / {Fmt.MB(at.Rss)} / {Fmt.MB(run.End.Rss)}")),
            new(Number, Fmt.F($"Worker RSS, ReportingApi + LeaksOnProcessExit (the current workers, fresh each deploy) at start / at reload {checkpoint} / at reload {total}"),
                Fmt.F($"{WorkerRss(run.Start)} / {WorkerRss(at)} / {WorkerRss(run.End)}")),
            new(Number, Fmt.F($"Host's managed heap after full GC / loaded assemblies at reload {total} (vs at {checkpoint})"),
                Fmt.F($"{Fmt.MB(run.End.HeapAfterFullGc)} / {run.End.Assemblies}"), Fmt.F($"{Fmt.MB(at.HeapAfterFullGc)} / {at.Assemblies}")),
            new(Number, Fmt.F($"Worker processes of the host after {total} deploys (serving and spare; more would be old workers left running)"), Fmt.Count(workers), "", "",
                Fmt.F($"≤ {expectedWorkers}"), BenchRow.Check(workers <= expectedWorkers)),
            new(Number, Fmt.F($"Deploy → new version served over the {total} paced deploys without load, each once the old worker stopped (the spare possibly still rehearsing), median / p99"),
                Fmt.MedianAndP99(run.Latencies)),
        ];
        AddStoppedEarly(rows, run, total);
        return rows;
    }

    /// <summary>A few paced deploys on a host logging at Information, cut into phases from its output.</summary>
    private async Task<IEnumerable<BenchRow>> DiagnosticAsync(CancellationToken cancellationToken)
    {
        var sizes = context.Sizes;
        using var deployment = ReportingDeployment(minimumLevel: "Information");
        await using var host = await ServerProcess.StartHostAsync(context.Paths, deployment.ConfigPath, VersionPath, cancellationToken: cancellationToken);
        var timeline = new WorkerReloadTimeline(host, "ReportingApi", "Served version ");
        var reloader = NewReloader(host, deployment, waitForReadySpares: true);
        var series = new ReloadSeries(context, host, reloader, Key + " (diagnostic)")
        {
            ReloadTimeout = WorkerReloadTimeout,
            AfterSettled = (_, status, _) =>
            {
                timeline.CutLastDeploy(reloader, status);
                return Task.CompletedTask;
            },
        };
        var run = await series.RunAsync(sizes.ProfileReloads, sizes.ProfileReloads, backToBack: false, cancellationToken);
        _notes.Add(Fmt.F($"12: diagnostic: {run.Latencies.Count} paced deploys of the process app, no load, on a host (and its workers) logging at Information; ")
            + "the phases are cut at the host's own timestamps of its lines and of its workers' lines as it read them (see WorkerReloadTimeline), the reload's start and swap from its status. "
            + Fmt.F($"{timeline.Deploys.Count} of {run.Latencies.Count} deploys could be cut. Noise: {run.Noise}."));
        return timeline.Rows(Number);
    }

    /// <summary>Runs the load on <paramref name="url"/> in short runs, one after the other, until <paramref name="until"/> completes.</summary>
    private async Task<List<LoadResult>> LoadWhileAsync(Uri url, Task until, CancellationToken cancellationToken)
    {
        var results = new List<LoadResult>();
        while (!until.IsCompleted)
        {
            results.Add(await context.Load.RunAsync(url, LoadChunk(context.Sizes), cancellationToken));
        }

        return results;
    }

    private static TimeSpan LoadChunk(BenchSizes sizes) => sizes.UseWrk ? TimeSpan.FromSeconds(5) : TimeSpan.FromSeconds(1);

    /// <summary>Wrk at one connection on the load CPUs, as the throughput load but for one request at a time.</summary>
    private async Task<ILoadGenerator> OneConnectionLoadAsync(CancellationToken cancellationToken)
    {
        if (!context.Sizes.UseWrk)
        {
            return new HttpClientLoad(1);
        }

        var (wrk, _) = await WrkLoad.EnsureInstalledAsync(TextWriter.Null, cancellationToken);
        return new WrkLoad(wrk, 1, 1, context.Pinning?.LoadCpus);
    }

    private Reloader NewReloader(ServerProcess host, Deployment deployment, bool waitForReadySpares = false) =>
        new(host, deployment, context.Sizes.PollEvery, VersionPath, ServedInstance.FromVersionInWorker) { WaitForReadySpares = waitForReadySpares };

    private Deployment TinyDeployment(string? isolation) => context.NewDeployment(d =>
    {
        d.AddApp("v1", "TinyJson", "TinyJson");
        d.Promote("v1");
        d.WriteConfig([new BenchApp("TinyJson", "/api/v1", "TinyJson/TinyJson.dll", ["/"], Isolation: isolation)], context.Sizes.Debounce);
    });

    /// <param name="minimumLevel">logging.minimumLevel; Warning (nothing per request) when null.</param>
    /// <param name="withLeakingApp">Also the LeaksOnProcessExit test plugin (its generations never unload in-process) at /leaks, in a worker too.</param>
    private Deployment ReportingDeployment(string? minimumLevel, bool withLeakingApp = false) => context.NewDeployment(d =>
    {
        List<BenchApp> apps = [BenchApp.Reporting("ReportingApi", "/api/v1") with { Isolation = Isolated }];
        foreach (var version in (string[])["v1", "v2"])
        {
            d.AddReportingApi(version, "ReportingApi", aggregationV2: version == "v2");
            if (withLeakingApp)
            {
                d.AddApp(version, LeakingApp, LeakingApp);
            }
        }

        if (withLeakingApp)
        {
            apps.Add(new BenchApp(LeakingApp, "/leaks", $"{LeakingApp}/{LeakingApp}.dll", ["/"], Isolation: Isolated));
        }

        d.Promote("v1");
        d.WriteConfig(apps, context.Sizes.Debounce, minimumLevel is null ? null : new BenchLogging(minimumLevel, RequestLog: false));
    });

    private void AddStoppedEarly(List<BenchRow> rows, ReloadSeriesResult run, int total)
    {
        if (run.StoppedEarly is { } why)
        {
            rows.Add(new(Number, "Run stopped early", why, "", "", Fmt.F($"{total} reloads"), Verdict.Missed));
        }
    }

    private const string LeakingApp = "LeaksOnProcessExit";

    private static string Microseconds(double ms) => double.IsNaN(ms) ? "n/a" : Fmt.F($"{ms * 1000:0} µs");
}
