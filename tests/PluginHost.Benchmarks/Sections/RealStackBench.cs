using System.Text.RegularExpressions;
using PluginHost.Benchmarks.Infrastructure;
using PluginHost.Benchmarks.Profiling;
using PluginHost.Benchmarks.Reporting;

namespace PluginHost.Benchmarks.Sections;

/// <summary>
/// 7. The real-stack app (tests/TestPlugins/RealStackApp: MVC + Newtonsoft, EF Core on SQLite, a named HttpClient, a
/// BackgroundService) at /shop, reloaded v1 ⇄ v2 at a deploy's pace with every generation driven on its main paths: the host's
/// memory from reload 200 to 1,000 and the retired generations still alive (as section 4), deploy → new version served
/// against starting the same app as its own bare Kestrel process, spread over the same run (as section 2). Then a short
/// diagnostic run whose host records the runtime's JIT and loader events says where a heavy reload's time goes.
/// </summary>
public sealed class RealStackBench(BenchContext context) : IBenchSection
{
    private const string App = "RealStackApp";
    private const int KeptHostWarnings = 8;

    /// <summary>The host's warm-up paths after the first (the version path every start and deploy is timed to).</summary>
    private static readonly string[] WarmPaths = [.. RealStackShop.Warmup.Skip(1).Select(path => RealStackShop.Mount + path)];

    private static readonly TimeSpan ReloadTimeout = TimeSpan.FromSeconds(60);

    private static readonly ReloadMarkers Markers = new(
        new Regex(@"^RealStackApp\.RealStackAppApp::ConfigureServices$"),
        new Regex(@"^RealStackApp\.RealStackAppApp::Configure$"),
        new Regex(@"^RealStackApp\.Controllers\.ProductsController\+<List>d__\d+::MoveNext$"));

    private readonly List<string> _notes = [];

    public int Number => 7;
    public string Key => "realstack";
    public string Title => "Real-stack app";

    public IReadOnlyList<string> Notes => _notes;

    public async Task<IReadOnlyList<BenchRow>> RunAsync(CancellationToken cancellationToken)
    {
        var sizes = context.Sizes;
        _notes.Clear();
        _notes.Add("7: RealStackApp at /shop, v1 and v2 the same build; warm-up GET /version and GET /api/products (so deploy → served includes them). "
            + "After each reload: GET /api/status (until the BackgroundService ran in the new generation), GET /api/products?inStock=true, POST /api/products/{id}/buy, "
            + "an invalid POST /api/products (400), GET /api/pricing/quote (the named HttpClient to an upstream: bare Kestrel --app upstream); then the next reload once the "
            + "previous generation was collected. Baseline: bare Kestrel --app realstack (the same plugin class in an ordinary ASP.NET Core app) started → first 200 of "
            + "/shop/version, spread over the run; its first start, which creates its database, is not counted. The warm restart goes on to ask the host's other "
            + "warm-up path (/shop/api/products: MVC, Newtonsoft and an EF Core query compiled) once, since the host asks it before it swaps a generation in.");
        await using var upstream = await ServerProcess.StartBareAsync(context.Paths, "upstream", "/echo?text=ready", cancellationToken: cancellationToken);
        using var deployment = context.NewDeployment(d => SetUp(d, upstream.Address, isolation: null, jit: "quick"));
        var bareSettings = RealStackShop.Settings(Directory.CreateDirectory(Path.Combine(deployment.Root, "bare-data")).FullName, upstream.Address);
        Task<ServerProcess> StartBareAsync(CancellationToken ct) => StartBare(bareSettings, environment: null, ct);
        await (await StartBareAsync(cancellationToken)).DisposeAsync();

        var restarts = new RestartBaseline(sizes.RealStackReloads, sizes.RealStackRestarts, StartBareAsync, WarmPaths);
        var (hostReported, appLoad) = (new List<double>(), new List<double>());
        RealStackShop shop;
        ReloadSeriesResult run;
        double hostStartup;
        await using (var host = await ServerProcess.StartHostAsync(context.Paths, deployment.ConfigPath, RealStackShop.VersionPath, cancellationToken: cancellationToken))
        {
            hostStartup = host.StartupTime.TotalMilliseconds;
            shop = new RealStackShop(host.Client);
            await shop.SeedAsync(cancellationToken);
            var reloader = new Reloader(host, deployment, sizes.PollEvery, RealStackShop.VersionPath);
            var series = new ReloadSeries(context, host, reloader, "realstack")
            {
                ReloadTimeout = ReloadTimeout,
                AfterServed = (_, ct) => shop.ExerciseAsync(reloader.Generation, ct),
                AfterSettled = async (i, status, ct) =>
                {
                    hostReported.Add(status.GetProperty("lastReload").GetProperty("durationMs").GetInt64());
                    appLoad.Add(status.GetProperty("apps")[0].GetProperty("loadMs").GetInt64());
                    await restarts.AfterReloadAsync(i, ct);
                },
            };
            run = await series.RunAsync(sizes.RealStackReloads, sizes.RealStackCheckpoint, backToBack: false, cancellationToken);
            KeepHostWarnings(host.Output);
        }

        var rows = new List<BenchRow>();
        var restartMedian = Stats.Median(restarts.Times);
        rows.AddRange(ReloadLatencyBench.LatencyRows(Number, run.Latencies, restarts.Times, "< restart", median => median < restartMedian));
        var warmRestartMedian = Stats.Median(restarts.WarmedTimes);
        rows.Add(WarmRestartRow("Deploy → new version served, median (vs bare Kestrel restart → its first 200 of each of the host's warm-up paths, as warm as a swapped-in generation)",
            Stats.Median(run.Latencies), warmRestartMedian));
        rows.Add(new(Number, "Host's own reload, median (status lastReload.durationMs) / of it loading the app's code, container and pipeline (apps[].loadMs)",
            Fmt.F($"{Fmt.Ms(Stats.Median(hostReported))} / {Fmt.Ms(Stats.Median(appLoad))}")));
        rows.Add(new(Number, "Process start → first 200: host with RealStackApp (vs bare Kestrel)", Fmt.Ms(hostStartup), Fmt.Ms(restartMedian), Fmt.Ratio(hostStartup / restartMedian)));
        rows.AddRange(MemoryRows(run));
        rows.Add(new(Number, "Requests on the app's paths after each reload (failed)", Fmt.F($"{Fmt.Count(shop.Requests)} ({Fmt.Count(shop.Failed)})"), "", "", "0 failed",
            BenchRow.Check(shop.Failed == 0 && shop.Requests > 0)));
        _notes.AddRange(shop.Failures.Select(f => "7: failed: " + f));
        rows.AddRange(await OptimizedAsync(deployment, upstream.Address, StartBareAsync, cancellationToken));
        rows.AddRange(await InWorkerAsync(upstream.Address, StartBareAsync, cancellationToken));
        _notes.Add(Fmt.F($"7: noise: {run.Noise} during the {run.Latencies.Count} reloads; deploy → served ranged {Fmt.Ms(run.Latencies.DefaultIfEmpty(double.NaN).Min())}–{Fmt.Ms(run.Latencies.DefaultIfEmpty(double.NaN).Max())}, the bare restarts {Fmt.Ms(restarts.Times.DefaultIfEmpty(double.NaN).Min())}–{Fmt.Ms(restarts.Times.DefaultIfEmpty(double.NaN).Max())}."));
        if (sizes.ProfileReloads > 0)
        {
            rows.AddRange(await ProfileAsync(deployment, bareSettings, Stats.Median(hostReported), cancellationToken));
        }

        return rows;
    }

    /// <summary>
    /// What jit: quick (the series above) trades: the same deploys with apps[].jit: optimized, the default (every method
    /// of the collectible generation compiled fully optimised), against bare restarts spread over them; then the app's
    /// CPU per request on GET /shop/api/products (MVC, an EF Core query, Newtonsoft) on two hosts, optimized and quick,
    /// loaded in alternating rounds as section 1 (their shared framework code tiers either way).
    /// </summary>
    private async Task<List<BenchRow>> OptimizedAsync(Deployment quick, Uri upstream, Func<CancellationToken, Task<ServerProcess>> startBare,
        CancellationToken cancellationToken)
    {
        var reloads = context.Sizes.RealStackOptimizedReloads;
        var restarts = new RestartBaseline(reloads, Math.Min(reloads, context.Sizes.RealStackRestarts), startBare, WarmPaths);
        using var optimized = context.NewDeployment(d => SetUp(d, upstream, isolation: null, jit: "optimized"));
        ReloadSeriesResult run;
        await using (var host = await ServerProcess.StartHostAsync(context.Paths, optimized.ConfigPath, RealStackShop.VersionPath, cancellationToken: cancellationToken))
        {
            var shop = new RealStackShop(host.Client);
            await shop.SeedAsync(cancellationToken);
            var reloader = new Reloader(host, optimized, context.Sizes.PollEvery, RealStackShop.VersionPath);
            var series = new ReloadSeries(context, host, reloader, "realstack (jit: optimized)")
            {
                ReloadTimeout = ReloadTimeout,
                AfterServed = (_, ct) => shop.ExerciseAsync(reloader.Generation, ct),
                AfterSettled = (i, _, ct) => restarts.AfterReloadAsync(i, ct),
            };
            run = await series.RunAsync(reloads, reloads, backToBack: false, cancellationToken);
            _notes.AddRange(shop.Failures.Select(f => "7: jit: optimized: failed: " + f));
        }

        var cpus = context.Pinning?.ServerCpus;
        ThroughputComparison comparison;
        await using (var slow = await ServerProcess.StartHostAsync(context.Paths, optimized.ConfigPath, RealStackShop.ProductsPath, cpus, cancellationToken: cancellationToken))
        await using (var fast = await ServerProcess.StartHostAsync(context.Paths, quick.ConfigPath, RealStackShop.ProductsPath, cpus, cancellationToken: cancellationToken))
        {
            comparison = await ThroughputComparison.RunAsync(context, Key + " (jit)",
                new ThroughputSide("jit: optimized", slow, RealStackShop.ProductsPath), new ThroughputSide("jit: quick", fast, RealStackShop.ProductsPath), cancellationToken);
        }

        _notes.Add(Fmt.F($"7: jit: the in-process series above runs with apps[].jit: quick; {run.Latencies.Count} more reloads with jit: optimized (the default), noise {run.Noise}. ")
            + Fmt.F($"Then GET {RealStackShop.ProductsPath} on a host of each (pinned and warmed up as section 1, {context.Sizes.OverheadRounds} alternating rounds; noise {comparison.Noise}): quick against optimized."));
        var (median, restartMedian) = (Stats.Median(run.Latencies), Stats.Median(restarts.Times));
        return
        [
            new(Number, Fmt.F($"jit: optimized (the default): deploy → new version served, median of {run.Latencies.Count} (vs bare Kestrel restart, median of {restarts.Times.Count} in this series)"),
                Fmt.Ms(median), Fmt.Ms(restartMedian), Fmt.Ratio(median / restartMedian)),
            .. comparison.Rows(Number, target: 0, subject: Fmt.F($"jit: quick vs optimized, GET {RealStackShop.ProductsPath}: ")).Select(r => r.Target.StartsWith('≥') ? r with { Target = "", Verdict = Verdict.Info } : r),
        ];
    }

    /// <summary>
    /// The same deploys with RealStackApp in a worker process (<c>isolation: process</c>), where its code is not collectible,
    /// so it tiers and uses ReadyToRun code as in the bare process; each deploy once the old worker stopped and the host's
    /// spare worker had rehearsed, the app's paths driven after each; against bare restarts spread over this series, so
    /// that both meet the same machine.
    /// </summary>
    private async Task<List<BenchRow>> InWorkerAsync(Uri upstream, Func<CancellationToken, Task<ServerProcess>> startBare, CancellationToken cancellationToken)
    {
        var deploys = context.Sizes.RealStackWorkerDeploys;
        var restarts = new RestartBaseline(deploys, context.Sizes.RealStackRestarts, startBare, WarmPaths);
        using var deployment = context.NewDeployment(d => SetUp(d, upstream, isolation: "process", jit: null));
        var hostReported = new List<double>();
        await using var host = await ServerProcess.StartHostAsync(context.Paths, deployment.ConfigPath, RealStackShop.VersionPath, cancellationToken: cancellationToken);
        var timeline = new WorkerReloadTimeline(host, App, firstRequestMarker: null);
        var shop = new RealStackShop(host.Client);
        await shop.SeedAsync(cancellationToken);
        var reloader = new Reloader(host, deployment, context.Sizes.PollEvery, RealStackShop.VersionPath, ServedInstance.FromVersionInWorker) { WaitForReadySpares = true };
        var series = new ReloadSeries(context, host, reloader, "realstack (process mode)")
        {
            ReloadTimeout = ReloadTimeout,
            AfterServed = (_, ct) => shop.ExerciseAsync(generation: null, ct),
            AfterSettled = (i, status, ct) =>
            {
                hostReported.Add(status.GetProperty("lastReload").GetProperty("durationMs").GetInt64());
                timeline.CutLastDeploy(reloader, status);
                return restarts.AfterReloadAsync(i, ct);
            },
        };
        var run = await series.RunAsync(deploys, deploys, backToBack: false, cancellationToken);
        KeepHostWarnings(host.Output);
        _notes.AddRange(shop.Failures.Select(f => "7: process mode: failed: " + f));
        _notes.Add(Fmt.F($"7: process mode: the same app and deploys with apps[].isolation: process, {run.Latencies.Count} deploys, each once the old worker stopped and the spare worker had rehearsed. Noise: {run.Noise}."));
        var (median, restartMedian) = (Stats.Median(run.Latencies), Stats.Median(restarts.Times));
        return
        [
            new(Number, Fmt.F($"Process mode: deploy → new version served, median of {run.Latencies.Count} (vs bare Kestrel restart, median of {restarts.Times.Count} in this series)"),
                Fmt.Ms(median), Fmt.Ms(restartMedian), Fmt.Ratio(median / restartMedian), "< restart", BenchRow.Check(median < restartMedian)),
            WarmRestartRow("Process mode: deploy → new version served, median (vs the warm bare restart, in this series)", median, Stats.Median(restarts.WarmedTimes)),
            new(Number, "Process mode: p99; fastest / slowest; host's own reload, median", Fmt.F($"{Fmt.Ms(Stats.Percentile(run.Latencies, 99))}; {Fmt.Ms(run.Latencies.DefaultIfEmpty(double.NaN).Min())} / {Fmt.Ms(run.Latencies.DefaultIfEmpty(double.NaN).Max())}; {Fmt.Ms(Stats.Median(hostReported))}")),
            new(Number, "Process mode: requests on the app's paths after each deploy (failed)", Fmt.F($"{Fmt.Count(shop.Requests)} ({Fmt.Count(shop.Failed)})"), "", "", "0 failed",
                BenchRow.Check(shop.Failed == 0 && shop.Requests > 0)),
            .. timeline.Rows(Number).Select(r => r with { Measure = "Process mode: " + r.Measure }),
        ];
    }

    private BenchRow WarmRestartRow(string measure, double median, double warmRestartMedian) =>
        new(Number, measure, Fmt.Ms(median), Fmt.Ms(warmRestartMedian), Fmt.Ratio(median / warmRestartMedian), "< warm restart", BenchRow.Check(median < warmRestartMedian));

    private void SetUp(Deployment deployment, Uri upstream, string? isolation, string? jit)
    {
        deployment.AddApp("v1", App, App);
        deployment.AddApp("v2", App, App);
        deployment.Promote("v1");
        var data = Directory.CreateDirectory(Path.Combine(deployment.Root, "data")).FullName;
        // A process app's host logs at Information: its workers' lines, stamped as it reads them, cut each deploy into phases.
        // No request log: the bench's poll every 2 ms would put two lines a poll on the cores the new worker loads on.
        deployment.WriteConfig([new BenchApp(App, RealStackShop.Mount, $"{App}/{App}.dll", RealStackShop.Warmup, RealStackShop.Settings(data, upstream), isolation, jit)],
            context.Sizes.Debounce, isolation is null ? null : new BenchLogging("Information", RequestLog: false));
    }

    private List<BenchRow> MemoryRows(ReloadSeriesResult run)
    {
        var (checkpoint, total) = (context.Sizes.RealStackCheckpoint, context.Sizes.RealStackReloads);
        var at = run.AtCheckpoint ?? run.Start;
        var growth = run.RssGrowth;
        var rows = new List<BenchRow>
        {
            new(Number, Fmt.F($"RSS growth from reload {checkpoint} to {total}, each reload once the previous generation was collected"), Fmt.MBSigned(growth),
                Fmt.F($"{Fmt.MB(at.Rss)} at {checkpoint}"), Fmt.Ratio((double)run.End.Rss / at.Rss), "< 5 MB", BenchRow.Check(growth < 5 * 1024 * 1024)),
            new(Number, Fmt.F($"RSS at start / after {total} reloads"), Fmt.F($"{Fmt.MB(run.Start.Rss)} / {Fmt.MB(run.End.Rss)}")),
            new(Number, Fmt.F($"Managed heap after full GC, after {total} reloads (vs at {checkpoint})"), Fmt.MB(run.End.HeapAfterFullGc), Fmt.MB(at.HeapAfterFullGc)),
            new(Number, Fmt.F($"GC committed / RSS less it (native memory and mapped files), after {total} reloads (vs at {checkpoint})"),
                Fmt.F($"{Fmt.MB(run.End.GcCommitted)} / {Fmt.MB(run.End.Rss - run.End.GcCommitted)}"), Fmt.F($"{Fmt.MB(at.GcCommitted)} / {Fmt.MB(at.Rss - at.GcCommitted)}")),
            new(Number, Fmt.F($"C heap in use / kept free by glibc (fragmentation), after {total} reloads (vs at {checkpoint})"),
                Fmt.F($"{Fmt.MB(run.End.NativeInUse)} / {Fmt.MB(run.End.NativeFree)}"), Fmt.F($"{Fmt.MB(at.NativeInUse)} / {Fmt.MB(at.NativeFree)}")),
            new(Number, Fmt.F($"Loaded assemblies after {total} reloads (vs at {checkpoint})"), Fmt.Count(run.End.Assemblies), Fmt.Count(at.Assemblies)),
            new(Number, "Retired generations still alive at the end (collected)", Fmt.F($"{run.End.Alive} ({run.End.Collected} of {run.Latencies.Count} collected)"), "", "", "0",
                BenchRow.Check(run.End.Alive == 0 && run.End.Collected >= run.Latencies.Count)),
        };
        if (run.StoppedEarly is { } why)
        {
            rows.Add(new(Number, "Run stopped early", why, "", "", Fmt.F($"{total} reloads"), Verdict.Missed));
        }

        _notes.AddRange(run.End.AliveExplained.Select(alive => "7: still alive: " + alive));
        return rows;
    }

    /// <summary>
    /// A host started with this assembly as its startup hook (<see cref="RuntimeEventRecorder"/>) on the same deployment,
    /// reloaded a few times at a deploy's pace: each reload cut into phases by the host's status and the first compilation
    /// of the app's own methods, with the JIT's work in each phase.
    /// </summary>
    private async Task<List<BenchRow>> ProfileAsync(Deployment deployment, IReadOnlyDictionary<string, string> bareSettings, double unobservedMedian,
        CancellationToken cancellationToken)
    {
        var sizes = context.Sizes;
        var file = Path.Combine(deployment.Root, "runtime-events.tsv");
        var reloads = new List<ProfiledReload>();
        await using (var host = await ServerProcess.StartHostAsync(context.Paths, deployment.ConfigPath, RealStackShop.VersionPath,
            environment: RuntimeEventRecorder.EnvironmentFor(file), cancellationToken: cancellationToken))
        {
            var reloader = new Reloader(host, deployment, sizes.PollEvery, RealStackShop.VersionPath);
            var series = new ReloadSeries(context, host, reloader, "realstack (diagnostic run)")
            {
                ReloadTimeout = ReloadTimeout,
                AfterSettled = (_, status, _) =>
                {
                    reloads.Add(ProfiledReload.From(reloader, status));
                    return Task.CompletedTask;
                },
            };
            await series.RunAsync(sizes.ProfileReloads, sizes.ProfileReloads, backToBack: false, cancellationToken);
        }

        // The baseline under the same recorder: what its start → first 200 compiles.
        var bareFile = Path.Combine(deployment.Root, "runtime-events-bare.tsv");
        double bareStartup;
        await using (var bare = await StartBare(bareSettings, RuntimeEventRecorder.EnvironmentFor(bareFile), cancellationToken))
        {
            bareStartup = bare.StartupTime.TotalMilliseconds;
        }

        var (trace, bareTrace) = (RuntimeTrace.Read(file), RuntimeTrace.Read(bareFile));
        if (trace.Compilations == 0 || bareTrace.Compilations == 0)
        {
            throw new BenchException($"The diagnostic run recorded no JIT events in {file} or {bareFile}: was the startup hook refused (DOTNET_STARTUP_HOOKS)?");
        }

        var phases = ReloadBreakdown.Medians(reloads.Select(r => ReloadBreakdown.Of(r, trace, Markers)));
        _notes.Add(Fmt.F($"7: diagnostic run: a host started with the suite's assembly as its startup hook records the runtime's JIT and loader events (an in-process EventListener), {reloads.Count} paced reloads without traffic in between. ")
            + Fmt.F($"Its reloads took a median of {Stats.Median(reloads.Select(r => r.DurationMs)):0} ms against {unobservedMedian:0} ms unobserved (the listener's cost). ")
            + "Phases end at the first compilation of the app's own ConfigureServices, Configure and endpoint methods and at the host's reported times; JIT = first compilations, which the code waiting for them sits through, dynamic methods included (compiled expression trees, always fully optimised); tier-1 recompilations run in the background and are not counted. Medians per phase: they need not add up to the median of the whole.");
        var rows = phases.Select(p => new BenchRow(Number, Fmt.F($"Diagnostic run, median of {reloads.Count}: {p.Phase}"),
            double.IsNaN(p.Ms) ? "n/a" : Fmt.F($"{Fmt.Ms(p.Ms)}; JIT {Describe(p.Jit)}"))).ToList();
        rows.Add(new(Number, "Diagnostic run: bare Kestrel start → first 200 of the same app (default context), recorded alike",
            Fmt.F($"{Fmt.Ms(bareStartup)}; JIT {Describe(bareTrace.Jit())}")));
        return rows;
    }

    private Task<ServerProcess> StartBare(IReadOnlyDictionary<string, string> settings, IReadOnlyDictionary<string, string>? environment, CancellationToken cancellationToken) =>
        ServerProcess.StartBareAsync(context.Paths, "realstack", RealStackShop.VersionPath, settings: settings, environment: environment, cancellationToken: cancellationToken);

    private static string Describe(JitTotals jit) =>
        Fmt.F($"{Fmt.Ms(jit.Ms)}, {jit.Methods} methods ({jit.FullyOptimized} fully optimised; dynamic {jit.DynamicMethods}, {Fmt.Ms(jit.DynamicMs)})");

    private void KeepHostWarnings(string output)
    {
        // "[12:00:00.000 WRN] …": without the time, repeated warnings are one.
        var warnings = output.Split('\n').Where(l => l.Contains(" WRN]", StringComparison.Ordinal) || l.Contains(" ERR]", StringComparison.Ordinal))
            .Select(l => l[(l.IndexOf(' ', StringComparison.Ordinal) + 1)..]).Select(l => l.Length > 400 ? l[..400] + "…" : l).Distinct().Take(KeptHostWarnings);
        _notes.AddRange(warnings.Select(w => "7: host said: " + w.Replace("|", "/", StringComparison.Ordinal)));
    }
}
