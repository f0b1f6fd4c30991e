using PluginHost.Benchmarks.Infrastructure;
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

    public IReadOnlyList<string> Notes =>
    [
        "1: each round runs the bare server and the host back to back (order alternating); the per-round ratios pair adjacent runs, so their median is robust on a shared machine. CPU time per request is the server process's user+system time over the run divided by its requests.",
    ];

    public async Task<IReadOnlyList<BenchRow>> RunAsync(CancellationToken cancellationToken)
    {
        var sizes = context.Sizes;
        using var deployment = new Deployment(context.Paths);
        deployment.AddApp("v1", "TinyJson", "TinyJson");
        deployment.Promote("v1");
        deployment.WriteConfig([new BenchApp("TinyJson", "/api/v1", "TinyJson/TinyJson.dll", ["/"])], sizes.Debounce);

        var cpus = context.Pinning?.ServerCpus;
        await using var bare = await ServerProcess.StartBareAsync(context.Paths, "tiny", Path, cpus, cancellationToken: cancellationToken);
        await using var host = await ServerProcess.StartHostAsync(context.Paths, deployment.ConfigPath, Path, cpus, cancellationToken: cancellationToken);
        var comparison = await ThroughputComparison.RunAsync(context, Key, new("bare", bare, Path), new("host", host, Path), cancellationToken);
        return [.. comparison.Rows(Number, target: 0.97)];
    }
}
