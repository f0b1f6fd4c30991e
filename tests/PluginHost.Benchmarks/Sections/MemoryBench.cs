using System.Text.Json;
using PluginHost.Benchmarks.Infrastructure;
using PluginHost.Benchmarks.Reporting;

namespace PluginHost.Benchmarks.Sections;

/// <summary>
/// 4. Memory of the host process across many reloads (v1 ⇄ v2 of ReportingApi, back to back): RSS from
/// /proc/&lt;pid&gt;/status, the managed heap after the last full collection and the retired generations still alive
/// from the host's status. Baseline: the same figures at an early checkpoint, once the first-use growth is over.
/// </summary>
public sealed class MemoryBench(BenchContext context) : IBenchSection
{
    private static readonly TimeSpan ReloadTimeout = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan SettleBound = TimeSpan.FromSeconds(60);

    public int Number => 4;
    public string Key => "memory";
    public string Title => "Memory across reloads";

    public async Task<IReadOnlyList<BenchRow>> RunAsync(CancellationToken cancellationToken)
    {
        var sizes = context.Sizes;
        var (checkpoint, total) = (sizes.MemoryCheckpoint, sizes.MemoryReloads);
        using var deployment = context.NewReportingDeployment();
        await using var host = await ServerProcess.StartHostAsync(context.Paths, deployment.ConfigPath, "/api/v1/version", cancellationToken: cancellationToken);
        var reloader = new Reloader(host, deployment, sizes.PollEvery);
        await reloader.InitAsync(cancellationToken);
        var start = new Snapshot(host.RssBytes(), await host.StatusAsync(cancellationToken));
        Snapshot? atCheckpoint = null;
        var latencies = new List<double>();
        for (var i = 1; i <= total; i++)
        {
            latencies.Add((await reloader.ReloadAsync(ReloadTimeout, cancellationToken)).TotalMilliseconds);
            if (i == checkpoint)
            {
                atCheckpoint = new Snapshot(host.RssBytes(), await reloader.WaitSettledAsync(i, SettleBound, cancellationToken));
            }

            if (i % 100 == 0 || i == total)
            {
                context.Progress(Fmt.F($"memory: {i}/{total} reloads, RSS {Fmt.MB(host.RssBytes())}"));
            }
        }

        var end = new Snapshot(host.RssBytes(), await reloader.WaitSettledAsync(total, SettleBound, cancellationToken));
        host.EnsureRunning();
        var early = atCheckpoint!;
        var growth = end.Rss - early.Rss;
        var alive = end.Status.GetProperty("retiredAlive").GetArrayLength();
        var collected = end.Status.GetProperty("collectedGenerations").GetInt64();
        return
        [
            new(Number, Fmt.F($"RSS growth from reload {checkpoint} to {total}"), Fmt.MBSigned(growth), Fmt.F($"{Fmt.MB(early.Rss)} at {checkpoint}"), Fmt.Ratio((double)end.Rss / early.Rss), "< 5 MB", BenchRow.Check(growth < 5 * 1024 * 1024)),
            new(Number, Fmt.F($"RSS after {total} reloads (vs at start)"), Fmt.MB(end.Rss), Fmt.MB(start.Rss), Fmt.Ratio((double)end.Rss / start.Rss)),
            new(Number, Fmt.F($"Managed heap after full GC, after {total} reloads (vs at {checkpoint})"), Fmt.MB(end.HeapAfterFullGc), Fmt.MB(early.HeapAfterFullGc), Fmt.Ratio(end.HeapAfterFullGc / early.HeapAfterFullGc)),
            new(Number, Fmt.F($"Loaded assemblies after {total} reloads (vs at {checkpoint})"), Fmt.Count(end.Assemblies), Fmt.Count(early.Assemblies), Fmt.Ratio((double)end.Assemblies / early.Assemblies)),
            new(Number, "Retired generations still alive (collected)", Fmt.F($"{alive} ({collected} of {total} collected)"), "", "", "0", BenchRow.Check(alive == 0 && collected >= total)),
            new(Number, Fmt.F($"Deploy → new version served over these {total} back-to-back reloads, median / p99"), Fmt.F($"{Fmt.Ms(Stats.Median(latencies))} / {Fmt.Ms(Stats.Percentile(latencies, 99))}")),
        ];
    }

    private sealed record Snapshot(long Rss, JsonElement Status)
    {
        private JsonElement Memory => Status.GetProperty("memory");

        public double HeapAfterFullGc => Memory.GetProperty("gcHeapAfterFullGcBytes") is { ValueKind: JsonValueKind.Number } bytes ? bytes.GetInt64() : double.NaN;

        public int Assemblies => Memory.GetProperty("assemblies").GetInt32();
    }
}
