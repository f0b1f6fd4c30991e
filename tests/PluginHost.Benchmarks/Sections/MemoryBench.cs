using PluginHost.Benchmarks.Infrastructure;
using PluginHost.Benchmarks.Reporting;

namespace PluginHost.Benchmarks.Sections;

/// <summary>
/// 4. Memory of the host process across many reloads (v1 ⇄ v2 of ReportingApi): RSS from /proc/&lt;pid&gt;/status, the
/// managed heap after the last full collection and the retired generations still alive from the host's status.
/// Baseline: the same figures at an early checkpoint. Two hosts: one reloading at a deploy's pace (each reload once
/// the previous generation has been collected), one reloading back to back.
/// </summary>
public sealed class MemoryBench(BenchContext context) : IBenchSection
{
    public int Number => 4;
    public string Key => "memory";
    public string Title => "Memory across reloads";

    public IReadOnlyList<string> Notes =>
    [
        "4: paced = each reload once the previous generation was verified collected (a deploy's pace); back to back = the next reload as soon as the new version answers. "
        + "RSS from /proc/<pid>/status; managed heap as of the last full collection; retired generations alive and collected from the host's status.",
    ];

    public async Task<IReadOnlyList<BenchRow>> RunAsync(CancellationToken cancellationToken)
    {
        var (checkpoint, total) = (context.Sizes.MemoryCheckpoint, context.Sizes.MemoryReloads);
        var paced = await MeasureAsync(backToBack: false, cancellationToken);
        var rushed = await MeasureAsync(backToBack: true, cancellationToken);
        var (pacedAt, rushedAt) = (paced.AtCheckpoint ?? paced.Start, rushed.AtCheckpoint ?? rushed.Start);
        var (growth, rushedGrowth) = (paced.RssGrowth, rushed.RssGrowth);
        var alive = paced.End.Alive + rushed.End.Alive;
        var collected = paced.End.Collected + rushed.End.Collected;
        return
        [
            new(Number, Fmt.F($"RSS growth from reload {checkpoint} to {total}, each reload once the previous generation was collected"), Fmt.MBSigned(growth),
                Fmt.F($"{Fmt.MB(pacedAt.Rss)} at {checkpoint}"), Fmt.Ratio((double)paced.End.Rss / pacedAt.Rss), "< 5 MB", BenchRow.Check(growth < 5 * 1024 * 1024)),
            new(Number, Fmt.F($"RSS growth from reload {checkpoint} to {total}, back-to-back reloads"), Fmt.MBSigned(rushedGrowth),
                Fmt.F($"{Fmt.MB(rushedAt.Rss)} at {checkpoint}"), Fmt.Ratio((double)rushed.End.Rss / rushedAt.Rss)),
            new(Number, Fmt.F($"RSS after {total} reloads (vs at start), paced / back to back"), Fmt.F($"{Fmt.MB(paced.End.Rss)} / {Fmt.MB(rushed.End.Rss)}"),
                Fmt.F($"{Fmt.MB(paced.Start.Rss)} / {Fmt.MB(rushed.Start.Rss)}")),
            new(Number, Fmt.F($"Managed heap after full GC, after {total} reloads (vs at {checkpoint}), paced / back to back"),
                Fmt.F($"{Fmt.MB(paced.End.HeapAfterFullGc)} / {Fmt.MB(rushed.End.HeapAfterFullGc)}"), Fmt.F($"{Fmt.MB(pacedAt.HeapAfterFullGc)} / {Fmt.MB(rushedAt.HeapAfterFullGc)}")),
            new(Number, Fmt.F($"Loaded assemblies after {total} reloads (vs at {checkpoint}), paced / back to back"),
                Fmt.F($"{paced.End.Assemblies} / {rushed.End.Assemblies}"), Fmt.F($"{pacedAt.Assemblies} / {rushedAt.Assemblies}")),
            new(Number, "Retired generations still alive after both runs (collected)", Fmt.F($"{alive} ({collected} of {2 * total} collected)"), "", "", "0",
                BenchRow.Check(alive == 0 && collected >= 2 * total)),
            new(Number, Fmt.F($"Deploy → new version served over {total} back-to-back reloads, median / p99"), Fmt.MedianAndP99(rushed.Latencies)),
        ];
    }

    private async Task<ReloadSeriesResult> MeasureAsync(bool backToBack, CancellationToken cancellationToken)
    {
        using var deployment = context.NewReportingDeployment();
        await using var host = await ServerProcess.StartHostAsync(context.Paths, deployment.ConfigPath, "/api/v1/version", cancellationToken: cancellationToken);
        var series = new ReloadSeries(context, host, new Reloader(host, deployment, context.Sizes.PollEvery), backToBack ? "memory (back to back)" : "memory (paced)");
        return await series.RunAsync(context.Sizes.MemoryReloads, context.Sizes.MemoryCheckpoint, backToBack, cancellationToken);
    }
}
