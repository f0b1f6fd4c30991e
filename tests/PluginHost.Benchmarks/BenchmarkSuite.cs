using System.Diagnostics;
using PluginHost.Benchmarks.Infrastructure;
using PluginHost.Benchmarks.Load;
using PluginHost.Benchmarks.Reporting;
using PluginHost.Benchmarks.Sections;

namespace PluginHost.Benchmarks;

/// <summary>
/// Runs the selected sections one after the other, each measuring its figures beside their baselines in the same
/// run, then prints the markdown table and writes it to the results file. Child processes and temp folders are
/// cleaned up by each section, whatever happens.
/// </summary>
public static class BenchmarkSuite
{
    /// <summary>Returns 0 when every section ran (targets met or not), 1 when a section could not run, 2 when the suite could not start.</summary>
    public static async Task<int> RunAsync(BenchOptions options, TextWriter output, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        var started = Stopwatch.GetTimestamp();
        var sizes = options.Sizes;
        var paths = BenchPaths.Discover();
        ILoadGenerator load;
        ILoadGenerator throughputLoad;
        CpuPinning? pinning = null;
        string loadTool;
        try
        {
            paths.Verify();
            if (sizes.UseWrk)
            {
                var (wrk, version) = await WrkLoad.EnsureInstalledAsync(output, cancellationToken);
                load = new WrkLoad(wrk, sizes.WrkThreads, sizes.Connections);
                pinning = sizes.PinCpus ? CpuPinning.Detect() : null;
                throughputLoad = pinning is null ? load : new WrkLoad(wrk, 1, sizes.Connections, pinning.LoadCpus);
                loadTool = pinning is null
                    ? $"{version}; {load.Description}"
                    : $"{version}; {load.Description}; throughput comparisons (1, 5, 6, 8, 10, 11) pin each server to CPU {pinning.ServerCpus} (taskset) and use {throughputLoad.Description}";
            }
            else
            {
                load = new HttpClientLoad(sizes.Connections);
                throughputLoad = load;
                loadTool = load.Description + " (quick mode: wrk not used)";
            }
        }
        catch (BenchException ex)
        {
            await output.WriteLineAsync("Cannot run the benchmarks: " + ex.Message);
            return 2;
        }

        var context = new BenchContext(sizes, paths, load, throughputLoad, pinning, output);
        IBenchSection[] all =
        [
            new RequestOverheadBench(context), new ReloadLatencyBench(context), new ReloadUnderLoadBench(context),
            new MemoryBench(context), new ManyAppsBench(context), new LoggingCostBench(context), new RealStackBench(context), new HttpsBench(context),
            new SignalRDeployBench(context), new AspNetCoreAppBench(context), new WarmSwapBench(context), new ProcessModeBench(context),
        ];
        var table = new ResultTable(MachineInfo.Read(), options.Quick ? "quick" : "full", Settings(sizes, loadTool));
        var failed = 0;
        foreach (var section in all.Where(s => options.Sections.Contains(s.Key)))
        {
            context.Progress($"{section.Number}. {section.Title}");
            try
            {
                table.Add(await section.RunAsync(cancellationToken));
                foreach (var note in section.Notes)
                {
                    table.Note(note);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                table.Note("Cancelled: the remaining sections did not run.");
                failed++;
                break;
            }
            catch (Exception ex) when (ex is BenchException or HttpRequestException or IOException or TaskCanceledException or System.Text.Json.JsonException or KeyNotFoundException or InvalidOperationException)
            {
                await output.WriteLineAsync($"{section.Title} failed: {ex}");
                table.Add([new BenchRow(section.Number, "Section failed: " + OneLine(ex.Message), "", "", "", "runs", Verdict.Missed)]);
                failed++;
            }
        }

        table.Note(Fmt.F($"Suite ran in {Stopwatch.GetElapsedTime(started).TotalSeconds:0} s."));
        var markdown = table.ToMarkdown();
        await output.WriteLineAsync();
        await output.WriteLineAsync(markdown);
        var file = options.OutputPath ?? Path.Combine(paths.DefaultResultsFolder, options.Quick ? "quick.md" : "latest.md");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        await File.WriteAllTextAsync(file, markdown, CancellationToken.None);
        await output.WriteLineAsync($"Written to {file}");
        return failed == 0 ? 0 : 1;
    }

    private static List<string> Settings(BenchSizes sizes, string loadTool) =>
    [
        $"Load: {loadTool}; {Fmt.F($"{sizes.OverheadRounds} alternating rounds of {sizes.OverheadDuration.TotalSeconds:0.#} s")} for overhead and HTTPS, {Fmt.F($"{sizes.AppRounds} rounds of {sizes.AppDuration.TotalSeconds:0.#} s")} for many apps, each server first warmed up under load for {Fmt.F($"{sizes.ThroughputWarmup.TotalSeconds:0.#} s")}",
        $"Host: dotnet host/PluginHost serve, {Fmt.F($"logging at Warning, no request log (except section 6), reload debounce {sizes.Debounce.TotalMilliseconds:0} ms; the bench polls every {sizes.PollEvery.TotalMilliseconds:0} ms")}",
        "Baselines: tests/PluginHost.Benchmarks.BareKestrel (the same TinyJson endpoint, the same ReportingApi and the same RealStackApp, each a plain Kestrel app in its own process; over HTTPS with the same certificate as the host); the unmodified WeatherService run as its own process (section 10); all traffic on 127.0.0.1",
    ];

    private static string OneLine(string text) => text.Split('\n')[0].Replace("|", "/", StringComparison.Ordinal);
}
