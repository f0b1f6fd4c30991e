using PluginHost.Benchmarks.Infrastructure;
using PluginHost.Benchmarks.Reporting;

namespace PluginHost.Benchmarks.Sections;

/// <summary>
/// 10. The unmodified sample app plugins/WeatherService (a <c>dotnet new webapi</c>-style minimal API that knows nothing of
/// the host) mounted at /weather, against the very same build run as its own process (<c>dotnet WeatherService.dll --urls …</c>):
/// throughput of <c>GET /weatherforecast</c> as section 1 measures it (both pinned and warmed up alike, alternating
/// rounds), and deploy → new instance served (v1 ⇄ v2 of the same build; its <c>/version</c> says when the instance
/// started) against its own process restart (start → first 200), spread over the same run, as section 2 does.
/// </summary>
public sealed class AspNetCoreAppBench(BenchContext context) : IBenchSection
{
    private const string App = "WeatherService";
    private const string Mount = "/weather";
    private const string ForecastPath = "/weatherforecast";
    private const string VersionPath = "/version";

    /// <summary>The app's own configuration, the same on both sides: config.yaml settings for the host, command-line arguments for its own process.</summary>
    private static readonly IReadOnlyDictionary<string, string> Settings = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        // Its appsettings.json says Information: nothing the app or ASP.NET Core logs per request reaches a console on either side.
        ["Logging:LogLevel:Default"] = "Warning",
    };

    private readonly List<string> _notes = [];

    public int Number => 10;
    public string Key => "aspnetcore";
    public string Title => "Unmodified ASP.NET Core app";

    public IReadOnlyList<string> Notes => _notes;

    public async Task<IReadOnlyList<BenchRow>> RunAsync(CancellationToken cancellationToken)
    {
        var sizes = context.Sizes;
        _notes.Clear();
        using var deployment = context.NewDeployment(d =>
        {
            d.AddApp("v1", App, App);
            d.AddApp("v2", App, App);
            d.Promote("v1");
            d.WriteConfig([new BenchApp(App, Mount, $"{App}/{App}.dll", [ForecastPath], Settings)], sizes.Debounce);
        });
        // The very files the host loads for v1, run as their own process.
        var dll = Path.Combine(deployment.ReleasesRoot, "v1", App, App + ".dll");
        var arguments = Settings.Select(s => $"--{s.Key}={s.Value}").ToList();
        Task<ServerProcess> StartOwnAsync(string? cpus, CancellationToken ct) => ServerProcess.StartAppAsync(dll, VersionPath, arguments, cpus, ct);

        var rows = new List<BenchRow>();
        var cpus = context.Pinning?.ServerCpus;
        ThroughputComparison comparison;
        await using (var own = await StartOwnAsync(cpus, cancellationToken))
        await using (var host = await ServerProcess.StartHostAsync(context.Paths, deployment.ConfigPath, Mount + ForecastPath, cpus, cancellationToken: cancellationToken))
        {
            comparison = await ThroughputComparison.RunAsync(context, Key, new("own Kestrel", own, ForecastPath), new("host", host, Mount + ForecastPath), cancellationToken);
        }

        rows.AddRange(comparison.Rows(Number, target: 0.95, subject: "GET /weatherforecast: "));

        var restarts = new RestartBaseline(sizes.Reloads, sizes.Restarts, ct => StartOwnAsync(cpus: null, ct));
        var (hostReported, appLoad) = (new List<double>(), new List<double>());
        ReloadSeriesResult run;
        double hostStartup;
        await using (var host = await ServerProcess.StartHostAsync(context.Paths, deployment.ConfigPath, Mount + VersionPath, cancellationToken: cancellationToken))
        {
            hostStartup = host.StartupTime.TotalMilliseconds;
            var reloader = new Reloader(host, deployment, sizes.PollEvery, Mount + VersionPath, ServedInstance.FromStartedAt);
            var series = new ReloadSeries(context, host, reloader, Key)
            {
                AfterSettled = async (i, status, ct) =>
                {
                    hostReported.Add(status.GetProperty("lastReload").GetProperty("durationMs").GetInt64());
                    appLoad.Add(status.GetProperty("apps")[0].GetProperty("loadMs").GetInt64());
                    await restarts.AfterReloadAsync(i, ct);
                },
            };
            run = await series.RunAsync(sizes.Reloads, sizes.Reloads, backToBack: false, cancellationToken);
        }

        var restartMedian = Stats.Median(restarts.Times);
        rows.AddRange(ReloadLatencyBench.LatencyRows(Number, run.Latencies, restarts.Times, "< restart", median => median < restartMedian,
            restartName: "the app's own process restart"));
        rows.Add(new(Number, "Host's own reload, median (status lastReload.durationMs) / of it starting the app's Main, host and warm-up (apps[].loadMs)",
            Fmt.F($"{Fmt.Ms(Stats.Median(hostReported))} / {Fmt.Ms(Stats.Median(appLoad))}")));
        rows.Add(new(Number, "Process start → first 200: host with WeatherService (vs the app on its own Kestrel)", Fmt.Ms(hostStartup), Fmt.Ms(restartMedian),
            Fmt.Ratio(hostStartup / restartMedian)));
        rows.Add(new(Number, "Retired generations still alive after the series (collected)", Fmt.F($"{run.End.Alive} ({run.End.Collected} of {run.Latencies.Count} collected)"),
            "", "", "0", BenchRow.Check(run.End.Alive == 0 && run.End.Collected >= run.Latencies.Count)));
        if (run.StoppedEarly is { } why)
        {
            rows.Add(new(Number, "Run stopped early", why, "", "", Fmt.F($"{sizes.Reloads} reloads"), Verdict.Missed));
        }

        _notes.Add("10: plugins/WeatherService (unmodified: a Main, no reference to PluginHost) at /weather, v1 and v2 the same build. Baseline: the same files (releases/v1/WeatherService/) "
            + $"run as their own process, dotnet WeatherService.dll --urls http://127.0.0.1:PORT {string.Join(' ', arguments)}, from its folder (its appsettings.json); "
            + "the host passes the same setting from config.yaml settings, and itself logs at Warning: no console logging per request on either side. "
            + Fmt.F($"Throughput: GET /weather/weatherforecast on the host vs GET /weatherforecast on the app's own Kestrel (5 forecasts of JSON), each pinned and warmed up as section 1, then {sizes.OverheadRounds} alternating rounds; noise: {comparison.Noise}. ")
            + Fmt.F($"Reload: production v1 ⇄ v2 and a touch of the trigger, then GET /weather/version every {sizes.PollEvery.TotalMilliseconds:0} ms until its startedAt changes (the new generation's Main ran and its host serves; the host warms it up with GET /weatherforecast first), ")
            + Fmt.F($"each next deploy once the retired generation was collected; baseline: the app's own process started → first 200 of GET /version, {restarts.Times.Count} times spread over the run, unpinned like the host. Noise: {run.Noise}."));
        _notes.AddRange(run.End.AliveExplained.Select(alive => "10: still alive: " + alive));
        return rows;
    }
}
