using System.Text.Json;
using PluginHost.Benchmarks.Infrastructure;
using PluginHost.Benchmarks.Reporting;

namespace PluginHost.Benchmarks.Sections;

/// <summary>
/// Reloads one host again and again the way deploys do (<see cref="Reloader"/>): paced (each reload once the previous
/// generation was verified collected: a deploy's pace) or back to back (the next one as soon as the new version answers).
/// Reads the host's RSS and status at the start, at a checkpoint and at the end, and times each deploy → new version served.
/// Sections hook in after each reload. A run whose generations leak stops after a few: each would hold it for the unload
/// timeout, and what holds them (status <c>retiredAlive[].heldBy</c>) is the finding.
/// </summary>
/// <param name="label">Names the run in the progress log.</param>
public sealed class ReloadSeries(BenchContext context, ServerProcess host, Reloader reloader, string label)
{
    private const int LeaksBeforeStopping = 3;

    public TimeSpan ReloadTimeout { get; init; } = TimeSpan.FromSeconds(15);

    public TimeSpan SettleBound { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Runs once the new version answered, while the retired generation unloads: e.g. requests on the app's paths.</summary>
    public Func<int, CancellationToken, Task>? AfterServed { get; init; }

    /// <summary>Runs in paced runs once the previous generation was collected, with the status read then: e.g. a baseline restart.</summary>
    public Func<int, JsonElement, CancellationToken, Task>? AfterSettled { get; init; }

    public async Task<ReloadSeriesResult> RunAsync(int total, int checkpoint, bool backToBack, CancellationToken cancellationToken = default)
    {
        await reloader.InitAsync(cancellationToken);
        var start = new HostSnapshot(host.RssBytes(), await host.StatusAsync(cancellationToken));
        HostSnapshot? atCheckpoint = null;
        HostSnapshot? lastSettled = null;
        var latencies = new List<double>();
        var load = new List<double> { MachineLoad.OneMinute() };
        string? stoppedEarly = null;
        var reportEvery = Math.Max(1, total / 10);
        for (var i = 1; i <= total && stoppedEarly is null; i++)
        {
            try
            {
                latencies.Add((await reloader.ReloadAsync(ReloadTimeout, cancellationToken)).TotalMilliseconds);
            }
            catch (BenchException ex) when (!cancellationToken.IsCancellationRequested)
            {
                // A long run keeps what it measured: the reload that did not land is the finding, with the host's own word on it.
                var last = (await host.StatusAsync(cancellationToken)).GetProperty("lastReload");
                stoppedEarly = Fmt.F($"stopped at reload {i} of {total}: {ex.Message.Split('\n')[0]} Host's last reload: {JsonSerializer.Serialize(last)}")
                    .Replace("|", "/", StringComparison.Ordinal);
                break;
            }

            if (AfterServed is { } afterServed)
            {
                await afterServed(i, cancellationToken);
            }

            if (!backToBack || i == checkpoint)
            {
                var status = await reloader.WaitSettledAsync(i, SettleBound, cancellationToken);
                var snapshot = new HostSnapshot(host.RssBytes(), status);
                lastSettled = snapshot;
                atCheckpoint = i == checkpoint ? snapshot : atCheckpoint;
                stoppedEarly = snapshot.Leaked >= LeaksBeforeStopping ? Fmt.F($"stopped after {i} of {total} reloads: {snapshot.Leaked} generations leaked") : null;
                if (!backToBack && AfterSettled is { } afterSettled)
                {
                    await afterSettled(i, status, cancellationToken);
                }
            }

            if (i % reportEvery == 0 || i == total)
            {
                load.Add(MachineLoad.OneMinute());
                context.Progress(Fmt.F($"{label}: {i}/{total} reloads, deploy → served median {Stats.Median(latencies):0.0} ms, RSS {Fmt.MB(host.RssBytes())}{(lastSettled is null ? "" : " (GC committed " + Fmt.MB(lastSettled.GcCommitted) + ")")}, load average {load[^1]:0.0}"));
            }
        }

        var end = new HostSnapshot(host.RssBytes(), await reloader.WaitSettledAsync(latencies.Count, SettleBound, cancellationToken));
        host.EnsureRunning();
        return new ReloadSeriesResult(start, atCheckpoint, end, latencies, stoppedEarly, load);
    }
}

/// <param name="AtCheckpoint">Null when the run stopped before the checkpoint.</param>
/// <param name="StoppedEarly">Why the run stopped before its last reload, or null.</param>
/// <param name="LoadAverages">The machine's 1-minute load average at the start and at each progress report.</param>
public sealed record ReloadSeriesResult(HostSnapshot Start, HostSnapshot? AtCheckpoint, HostSnapshot End, IReadOnlyList<double> Latencies, string? StoppedEarly,
    IReadOnlyList<double> LoadAverages)
{
    /// <summary>How shared the machine was during the run (<see cref="MachineLoad.Describe"/>).</summary>
    public string Noise => MachineLoad.Describe(LoadAverages);

    public double RssGrowth => AtCheckpoint is null ? double.NaN : End.Rss - AtCheckpoint.Rss;
}

/// <summary>The host's RSS (from /proc) and its status document at one moment.</summary>
public sealed record HostSnapshot(long Rss, JsonElement Status)
{
    private JsonElement Memory => Status.GetProperty("memory");

    public double HeapAfterFullGc => Memory.GetProperty("gcHeapAfterFullGcBytes") is { ValueKind: JsonValueKind.Number } bytes ? bytes.GetInt64() : double.NaN;

    /// <summary>What the GC has committed (status memory.gcCommittedBytes): RSS less this is native memory and mapped files.</summary>
    public double GcCommitted => Memory.TryGetProperty("gcCommittedBytes", out var bytes) && bytes.ValueKind == JsonValueKind.Number ? bytes.GetInt64() : double.NaN;

    /// <summary>The C heap in use (status memory.nativeHeap.inUseBytes); NaN where the host cannot tell.</summary>
    public double NativeInUse => NativeHeap("inUseBytes");

    /// <summary>Freed memory glibc keeps in its arenas (status memory.nativeHeap.freeBytes): fragmentation; NaN where unknown.</summary>
    public double NativeFree => NativeHeap("freeBytes");

    public int Assemblies => Memory.GetProperty("assemblies").GetInt32();

    private double NativeHeap(string figure) =>
        Memory.TryGetProperty("nativeHeap", out var heap) && heap.ValueKind == JsonValueKind.Object && heap.TryGetProperty(figure, out var bytes)
            ? bytes.GetInt64() : double.NaN;

    public int Alive => Status.GetProperty("retiredAlive").GetArrayLength();

    public int Leaked => Status.GetProperty("retiredAlive").EnumerateArray().Count(r => r.GetProperty("state").GetString() == "Leaked");

    public long Collected => Status.GetProperty("collectedGenerations").GetInt64();

    /// <summary>Each retired generation still alive, with what holds it as the host reported it: "App v1 generation 3 (Leaked): chain; chain".</summary>
    public IEnumerable<string> AliveExplained => Status.GetProperty("retiredAlive").EnumerateArray().Select(r =>
        Fmt.F($"{r.GetProperty("app").GetString()} {r.GetProperty("version").GetString()} generation {r.GetProperty("generation").GetInt64()} ({r.GetProperty("state").GetString()})")
        + (r.GetProperty("heldBy").GetArrayLength() == 0 ? ": no chain reported" : ": held by " + string.Join("; ", r.GetProperty("heldBy").EnumerateArray().Select(c => c.GetString()))));
}
