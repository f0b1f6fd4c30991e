using PluginHost.Benchmarks.Infrastructure;
using PluginHost.Benchmarks.Reporting;

namespace PluginHost.Benchmarks.Sections;

/// <summary>
/// 3. Load at fixed connections on the reloading app while a deploy (v1 ⇄ v2 + touch) happens every second: every
/// request must succeed. Baseline: the same load on the same host without reloads.
/// </summary>
public sealed class ReloadUnderLoadBench(BenchContext context) : IBenchSection
{
    private const string Path = "/api/v1/version";

    public int Number => 3;
    public string Key => "load";
    public string Title => "Reloads under load";

    public async Task<IReadOnlyList<BenchRow>> RunAsync(CancellationToken cancellationToken)
    {
        var sizes = context.Sizes;
        using var deployment = context.NewReportingDeployment();
        await using var host = await ServerProcess.StartHostAsync(context.Paths, deployment.ConfigPath, Path, cancellationToken: cancellationToken);
        var reloader = new Reloader(host, deployment, sizes.PollEvery);
        await reloader.InitAsync(cancellationToken);
        var url = host.Url(Path);

        await context.Load.RunAsync(url, sizes.Warmup, cancellationToken);
        context.Progress($"load: {sizes.LoadBaselineDuration.TotalSeconds:0} s without reloads");
        var quiet = await context.Load.RunAsync(url, sizes.LoadBaselineDuration, cancellationToken);

        context.Progress($"load: {sizes.LoadDuration.TotalSeconds:0} s with a deploy every {sizes.ReloadEvery.TotalSeconds:0.#} s");
        var generationBefore = reloader.Generation;
        using var stopReloading = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var reloading = ReloadRepeatedlyAsync(reloader, sizes.ReloadEvery, stopReloading.Token);
        var loaded = await context.Load.RunAsync(url, sizes.LoadDuration, cancellationToken);
        await stopReloading.CancelAsync();
        var deploys = await reloading;
        if (deploys > 0)
        {
            await reloader.WaitForLastDeployAsync(TimeSpan.FromSeconds(15), cancellationToken);
        }

        var status = await reloader.WaitSettledAsync(0, TimeSpan.FromSeconds(30), cancellationToken);
        host.EnsureRunning();

        var reloads = status.GetProperty("generation").GetInt64() - generationBefore;
        var failedReloads = status.GetProperty("reloads").EnumerateArray().Count(r => !r.GetProperty("ok").GetBoolean());
        var alive = status.GetProperty("retiredAlive").GetArrayLength();
        return
        [
            new(Number, Fmt.F($"Requests in {sizes.LoadDuration.TotalSeconds:0} s with reloads (vs {sizes.LoadBaselineDuration.TotalSeconds:0} s without)"),
                Fmt.Count(loaded.Requests), Fmt.Count(quiet.Requests), Fmt.Ratio(loaded.RequestsPerSecond / quiet.RequestsPerSecond) + " (req/s)"),
            new(Number, "Non-2xx responses", Fmt.Count(loaded.Non2xx), Fmt.Count(quiet.Non2xx), "", "0", BenchRow.Check(loaded.Non2xx == 0)),
            new(Number, "Socket errors (connect, read, write, timeout)", Fmt.Count(loaded.SocketErrors), Fmt.Count(quiet.SocketErrors), "", "0", BenchRow.Check(loaded.SocketErrors == 0)),
            new(Number, "Latency p50 / p99 with reloads (vs without)", Fmt.F($"{Fmt.Ms(loaded.P50Ms)} / {Fmt.Ms(loaded.P99Ms)}"), Fmt.F($"{Fmt.Ms(quiet.P50Ms)} / {Fmt.Ms(quiet.P99Ms)}"), Fmt.Ratio(loaded.P99Ms / quiet.P99Ms) + " (p99)"),
            new(Number, "Reloads done during the load (deploys / generations / failed)", Fmt.F($"{deploys} / {reloads} / {failedReloads}"), "", "", "all succeed", BenchRow.Check(failedReloads == 0 && reloads > 0)),
            new(Number, "Retired generations alive after the run", Fmt.Count(alive), "", "", "0", BenchRow.Check(alive == 0)),
        ];
    }

    private static async Task<int> ReloadRepeatedlyAsync(Reloader reloader, TimeSpan every, CancellationToken cancellationToken)
    {
        var deploys = 0;
        try
        {
            using var timer = new PeriodicTimer(every);
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                reloader.Flip();
                deploys++;
            }
        }
        catch (OperationCanceledException)
        {
        }

        return deploys;
    }
}
