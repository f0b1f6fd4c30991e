using System.Diagnostics;
using System.Globalization;
using PluginHost.Benchmarks.Infrastructure;
using PluginHost.Benchmarks.Load;
using PluginHost.Benchmarks.Reporting;

namespace PluginHost.Benchmarks.Sections;

/// <summary>
/// 9. SignalR clients across deploys: the LongLivedConnections test plugin's chat hub at /live/hubs/chat, a thousand
/// real SignalR clients (WebSockets, automatic reconnect) each invoking <c>Echo</c> about once a second, and deploys
/// (v1 ⇄ v2, the same build) under them with <c>reload.longLived: reconnect</c> and a short drain timeout. Per deploy and
/// client: from the moment the new generation serves (the bench's poll of <c>GET /live/</c>) to the client's first answer
/// from it. Also the invocations that failed or hung (target 0), and the host's RSS with every client connected before
/// the first deploy against after the last one once every retired generation was collected.
/// </summary>
public sealed class SignalRDeployBench(BenchContext context) : IBenchSection
{
    private const string App = "LongLived";
    private const string Mount = "/live";

    /// <summary>Open files each process needs besides its sockets for the clients (assemblies, pipes, listeners, the poller).</summary>
    private const int SpareFiles = 512;

    private static readonly TimeSpan ReloadTimeout = TimeSpan.FromSeconds(30);

    /// <summary>How long after a swap the bench waits for every client to be answered by the new generation.</summary>
    private static readonly TimeSpan MoveBound = TimeSpan.FromSeconds(60);

    private static readonly TimeSpan SettleBound = TimeSpan.FromSeconds(60);

    private readonly List<string> _notes = [];

    public int Number => 9;
    public string Key => "signalr";
    public string Title => "SignalR across deploys";

    public IReadOnlyList<string> Notes => _notes;

    public async Task<IReadOnlyList<BenchRow>> RunAsync(CancellationToken cancellationToken)
    {
        var sizes = context.Sizes;
        var (count, deploys) = (sizes.SignalRConnections, sizes.SignalRDeploys);
        var openFiles = EnsureOpenFileLimit(count);
        _notes.Clear();
        using var deployment = context.NewDeployment(d =>
        {
            d.AddApp("v1", App, "LongLivedConnections");
            d.AddApp("v2", App, "LongLivedConnections");
            d.Promote("v1");
            d.WriteConfig([new BenchApp(App, Mount, $"{App}/LongLivedConnections.dll", ["/"])], sizes.Debounce, drainTimeout: sizes.SignalRDrainTimeout);
        });
        await using var host = await ServerProcess.StartHostAsync(context.Paths, deployment.ConfigPath, Mount + "/", cancellationToken: cancellationToken);
        var reloader = new Reloader(host, deployment, sizes.PollEvery, Mount + "/");
        await reloader.InitAsync(cancellationToken);
        var load = new List<double> { MachineLoad.OneMinute() };
        var clients = new List<ChatClient>(count);
        try
        {
            var connecting = Stopwatch.GetTimestamp();
            await ConnectAsync(clients, host.Url(Mount + "/hubs/chat"), cancellationToken);
            var connectTime = Stopwatch.GetElapsedTime(connecting);
            var now = Stopwatch.GetTimestamp();
            if (await WaitAnsweredAsync(clients, reloader.Generation, now, now, cancellationToken) is { NotMoved: > 0 } first)
            {
                throw new BenchException($"{first.NotMoved} of {count} SignalR clients got no answer within {MoveBound.TotalSeconds:0} s of connecting.");
            }

            var rssBefore = host.RssBytes();
            context.Progress(Fmt.F($"signalr: {count} clients connected in {connectTime.TotalSeconds:0.0} s, host RSS {Fmt.MB(rssBefore)}, load average {load[^1]:0.0}"));
            var (deployTimes, perDeploy) = (new List<double>(), new List<DeployMoves>());
            for (var i = 1; i <= deploys; i++)
            {
                var deployed = Stopwatch.GetTimestamp();
                deployTimes.Add((await reloader.ReloadAsync(ReloadTimeout, cancellationToken)).TotalMilliseconds);
                var moves = await WaitAnsweredAsync(clients, reloader.Generation, deployed, Stopwatch.GetTimestamp(), cancellationToken);
                perDeploy.Add(moves);
                await reloader.WaitSettledAsync(i, SettleBound, cancellationToken);
                load.Add(MachineLoad.OneMinute());
                context.Progress(Fmt.F($"signalr: deploy {i}/{deploys}, generation {reloader.Generation}: {count - moves.NotMoved}/{count} clients on it, ")
                    + Fmt.F($"swap → closed / reconnected / answered median {Stats.Median(moves.Closes):0} / {Stats.Median(moves.Reconnects):0} / {Stats.Median(moves.Times):0} ms, ")
                    + Fmt.F($"slowest answered {moves.Times.DefaultIfEmpty(double.NaN).Max():0} ms, load average {load[^1]:0.0}"));
            }

            if (perDeploy.Sum(d => d.NotMoved) > 0)
            {
                _notes.Add("9: clients not answered by the newest generation at the end, by connection state: "
                    + string.Join(", ", clients.Where(c => c.FirstAnsweredFrom(reloader.Generation) is null).GroupBy(c => c.State).Select(g => Fmt.F($"{g.Key} {g.Count()}"))));
            }

            var settled = new HostSnapshot(0, await reloader.WaitSettledAsync(deploys, SettleBound, cancellationToken));
            var rssAfter = host.RssBytes();
            host.EnsureRunning();
            _notes.Add(Fmt.F($"9: LongLivedConnections at {Mount}, v1 and v2 the same build; reload.longLived reconnect, drainTimeout {sizes.SignalRDrainTimeout.TotalSeconds:0} s. ")
                + Fmt.F($"{count} Microsoft.AspNetCore.SignalR.Client connections (WebSockets, WithAutomaticReconnect), opened {sizes.SignalRConnectBatch} at a time in {connectTime.TotalSeconds:0.0} s; ")
                + Fmt.F($"each invokes Echo every {sizes.SignalRInterval.TotalSeconds:0.#} s ± 50 %, bounded at {ChatClient.InvocationBound.TotalSeconds:0} s (= hung); one interrupted by the closing connection is sent again after Reconnected. ")
                + Fmt.F($"Swap = the bench's poll of GET {Mount}/ (every {sizes.PollEvery.TotalMilliseconds:0} ms) first answered by the new generation; a client answered by it before that counts as 0 ms. ")
                + Fmt.F($"Swap → answered includes, after the reconnect, the wait for the client's next invocation (an interrupted one is sent again at once). ")
                + Fmt.F($"Each next deploy once every client was on the new generation and the retired one was collected. Open-file limit {openFiles}. Noise: {MachineLoad.Describe(load)}."));
            return Rows(clients, perDeploy, deployTimes, rssBefore, rssAfter, settled);
        }
        finally
        {
            await Task.WhenAll(clients.Select(c => c.DisposeAsync().AsTask()));
        }
    }

    private List<BenchRow> Rows(IReadOnlyList<ChatClient> clients, IReadOnlyList<DeployMoves> perDeploy, IReadOnlyList<double> deployTimes,
        long rssBefore, long rssAfter, HostSnapshot settled)
    {
        var times = perDeploy.SelectMany(d => d.Times).ToList();
        var closes = perDeploy.SelectMany(d => d.Closes).ToList();
        var reconnects = perDeploy.SelectMany(d => d.Reconnects).ToList();
        var expected = clients.Count * perDeploy.Count;
        var (slowest, slowestDeploy) = perDeploy.Select((d, i) => (Max: d.Times.DefaultIfEmpty(double.NaN).Max(), Deploy: i + 1)).MaxBy(d => d.Max);
        var (failed, hung) = (clients.Sum(c => c.Failed), clients.Sum(c => c.Hung));
        var lost = clients.Count(c => c.Lost);
        var failures = clients.SelectMany(c => c.Failures).Take(3).ToList();
        if (failures.Count > 0)
        {
            _notes.Add("9: first failures: " + string.Join("; ", failures).Replace("|", "/", StringComparison.Ordinal));
        }

        return
        [
            new(Number, Fmt.F($"Swap → client answered by the new generation, median of {times.Count} ({clients.Count} clients × {perDeploy.Count} deploys)"), Fmt.Ms(Stats.Median(times))),
            new(Number, "Swap → client answered by the new generation, p99 / slowest (deploy)", Fmt.F($"{Fmt.Ms(Stats.Percentile(times, 99))} / {Fmt.Ms(slowest)} ({slowestDeploy})")),
            new(Number, "Median of each deploy (ms)", string.Join(", ", perDeploy.Select(d => Fmt.F($"{Stats.Median(d.Times):0}")))),
            new(Number, Fmt.F($"Of it, swap → connection closed by the old generation (Reconnecting fired), median / p99 of {closes.Count}"),
                Fmt.MedianAndP99(closes)),
            new(Number, Fmt.F($"Of it, swap → client reconnected (Reconnected fired), median / p99 of {reconnects.Count}"),
                Fmt.MedianAndP99(reconnects)),
            new(Number, Fmt.F($"Clients answered by the new generation within {MoveBound.TotalSeconds:0} s of each swap (connections lost: automatic reconnect gave up)"),
                Fmt.F($"{times.Count:#,0} of {expected:#,0} ({lost})"), "", "", "all", BenchRow.Check(times.Count == expected && lost == 0)),
            new(Number, "Failed invocations (not interrupted by the closing connection)", Fmt.Count(failed), "", "", "0", BenchRow.Check(failed == 0)),
            new(Number, Fmt.F($"Hung invocations (no answer within {ChatClient.InvocationBound.TotalSeconds:0} s)"), Fmt.Count(hung), "", "", "0", BenchRow.Check(hung == 0)),
            new(Number, "Invocations answered / interrupted and sent again / reconnects",
                Fmt.F($"{Fmt.Count(clients.Sum(c => c.Invocations))} / {Fmt.Count(clients.Sum(c => c.Interrupted))} / {Fmt.Count(clients.Sum(c => c.Reconnects))}")),
            new(Number, "Deploy → new generation serving, median / slowest", Fmt.F($"{Fmt.Ms(Stats.Median(deployTimes))} / {Fmt.Ms(deployTimes.DefaultIfEmpty(double.NaN).Max())}")),
            new(Number, Fmt.F($"Host RSS after the last deploy, retired generations collected (vs before the first, {clients.Count} clients connected)"),
                Fmt.F($"{Fmt.MB(rssAfter)} ({Fmt.MBSigned(rssAfter - rssBefore)})"), Fmt.MB(rssBefore), Fmt.Ratio((double)rssAfter / rssBefore)),
            new(Number, "Retired generations still alive after the last deploy (collected)", Fmt.F($"{settled.Alive} ({settled.Collected} of {perDeploy.Count} collected)"), "", "", "0",
                BenchRow.Check(settled.Alive == 0 && settled.Collected >= perDeploy.Count)),
        ];
    }

    /// <summary>Opens the clients <see cref="BenchSizes.SignalRConnectBatch"/> at a time, so the host is not flooded.</summary>
    private async Task ConnectAsync(List<ChatClient> clients, Uri hub, CancellationToken cancellationToken)
    {
        var (count, batch) = (context.Sizes.SignalRConnections, context.Sizes.SignalRConnectBatch);
        for (var i = 0; i < count; i += batch)
        {
            var connecting = Enumerable.Range(0, Math.Min(batch, count - i))
                .Select(_ => ChatClient.ConnectAsync(hub, context.Sizes.SignalRInterval, cancellationToken)).ToList();
            try
            {
                await Task.WhenAll(connecting);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                throw new BenchException(Fmt.F($"Could not connect SignalR client {i + 1}–{i + connecting.Count} of {count} to {hub}: {ex.GetType().Name}: {ex.Message}"), ex);
            }
            finally
            {
                clients.AddRange(connecting.Where(c => c.IsCompletedSuccessfully).Select(c => c.Result));
            }
        }
    }

    /// <summary>
    /// Waits until every client was answered by <paramref name="generation"/> (or a later one); each one's time from
    /// <paramref name="swapped"/> to that answer, and to its first reconnect after <paramref name="deployed"/>.
    /// </summary>
    private static async Task<DeployMoves> WaitAnsweredAsync(IReadOnlyList<ChatClient> clients, long generation, long deployed, long swapped,
        CancellationToken cancellationToken)
    {
        while (clients.Any(c => c.FirstAnsweredFrom(generation) is null && !c.Lost) && Stopwatch.GetElapsedTime(swapped) < MoveBound)
        {
            await Task.Delay(20, cancellationToken);
        }

        var answered = clients.Select(c => c.FirstAnsweredFrom(generation)).OfType<long>().ToList();
        return new DeployMoves(Since(swapped, answered), Since(swapped, clients.Select(c => c.FirstReconnectingAfter(deployed)).OfType<long>()),
            Since(swapped, clients.Select(c => c.FirstReconnectedAfter(deployed)).OfType<long>()), clients.Count - answered.Count);
    }

    /// <summary>Milliseconds from <paramref name="start"/> to each timestamp; 0 for one before it.</summary>
    private static List<double> Since(long start, IEnumerable<long> timestamps) =>
        [.. timestamps.Select(at => Math.Max(0, Stopwatch.GetElapsedTime(start, at).TotalMilliseconds))];

    /// <summary>
    /// Each client is a socket here and one in the host: both processes need room for them. The .NET runtime raises its
    /// soft limit to the hard one at start-up, and the host inherits the bench's. Returns the limit.
    /// </summary>
    private static long EnsureOpenFileLimit(int connections)
    {
        var line = File.ReadLines("/proc/self/limits").FirstOrDefault(l => l.StartsWith("Max open files", StringComparison.Ordinal));
        var soft = line?["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
        var limit = soft is null ? long.MaxValue : soft == "unlimited" ? long.MaxValue : long.Parse(soft, CultureInfo.InvariantCulture);
        var needed = connections + SpareFiles;
        return limit >= needed
            ? limit
            : throw new BenchException(Fmt.F($"{connections} SignalR clients need at least {needed} open files in the bench and in the host, but the limit is {limit}: ")
                + Fmt.F($"raise it before starting the suite (as root: ulimit -Hn {needed * 2} && ulimit -n {needed * 2}; under systemd: LimitNOFILE=)."));
    }

    /// <param name="Times">Milliseconds from the swap to each client's first answer from the new generation.</param>
    /// <param name="Closes">Milliseconds from the swap to each client's seeing its connection closed (<c>Reconnecting</c>).</param>
    /// <param name="Reconnects">Milliseconds from the swap to each client's reconnect (those that reconnected).</param>
    /// <param name="NotMoved">Clients not answered by it within the bound.</param>
    private sealed record DeployMoves(IReadOnlyList<double> Times, IReadOnlyList<double> Closes, IReadOnlyList<double> Reconnects, int NotMoved);
}
