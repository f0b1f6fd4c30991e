using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json;
using System.Text;
using PluginHost.IntegrationTests.Infrastructure;

namespace PluginHost.IntegrationTests.Workers;

/// <summary>
/// Process isolation with real worker processes: the two samples (ReportingApi, WebApp) and a crashing app each in workers
/// of their own, TinyJson in the host, all on the host's one port.
/// </summary>
public sealed class ProcessModeTests : HostedTest
{
    protected override void Arrange()
    {
        ProcessApps.CreateReleases(Releases);
        ProcessApps.WriteConfig(Releases, requestLog: true);
    }

    [Fact]
    public async Task ProcessApps_AreServed_NextToAnInProcessApp_AsTheyWouldBeInProcess()
    {
        var version = await Host.GetJsonAsync("/api/v1/version");
        var whoami = await Host.GetJsonAsync("/crashy/whoami?x=1");
        var page = await Host.Client.GetAsync("/");
        var tiny = await Host.Client.GetAsync("/tiny");
        var status = await Host.GetJsonAsync("/_pluginhost/status");

        Assert.Equal("v1", version.GetProperty("version").GetString());
        Assert.Equal(1, version.GetProperty("generation").GetInt64());
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("<html", await page.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(HttpStatusCode.OK, tiny.StatusCode);
        var workers = status.GetProperty("apps").EnumerateArray().ToDictionary(a => a.GetProperty("name").GetString()!, a => a.GetProperty("worker"));
        Assert.Equal(JsonValueKind.Null, workers["Tiny"].ValueKind);
        Assert.All(["ReportingApi", "WebApp", "Crashy"], app => Assert.NotEqual(Environment.ProcessId, workers[app].GetProperty("pid").GetInt32()));
        Assert.Equal(3, workers.Values.Where(w => w.ValueKind == JsonValueKind.Object).Select(w => w.GetProperty("pid").GetInt32()).Distinct().Count());
        var pid = whoami.GetProperty("pid").GetInt32();
        Assert.NotEqual(Environment.ProcessId, pid);
        Assert.Equal(pid, await ProcessApps.WorkerPidAsync(Host, "Crashy"));
        Assert.NotEqual(pid, await ProcessApps.WorkerPidAsync(Host, "ReportingApi"));
        Assert.Equal("/crashy", whoami.GetProperty("pathBase").GetString());
        Assert.Equal("/whoami", whoami.GetProperty("path").GetString());
        Assert.Equal("127.0.0.1", whoami.GetProperty("remoteIp").GetString());
        Assert.Equal("http", whoami.GetProperty("scheme").GetString());
        Assert.Equal(Host.Address.Authority, whoami.GetProperty("host").GetString());
        Assert.Equal(1, whoami.GetProperty("generation").GetInt64());
        var worker = await ProcessApps.WorkerAsync(Host, "Crashy");
        Assert.Equal("serving", worker.GetProperty("state").GetString());
        Assert.True(worker.GetProperty("rssBytes").GetInt64() > 10_000_000);
        var logged = await LoggedRequestAsync("/crashy/whoami");
        Assert.Equal("WorkerRequestCompleted", CollectingSink.EventName(logged));
        Assert.Equal(pid.ToString(System.Globalization.CultureInfo.InvariantCulture), CollectingSink.Property(logged, "WorkerPid"));
        Assert.Equal("Crashy", CollectingSink.Property(logged, "App"));
        Assert.Equal("1", CollectingSink.Property(logged, "Generation"));
        Assert.Equal("RequestCompleted", CollectingSink.EventName(await LoggedRequestAsync("/tiny")));
    }

    /// <summary>The host's request log event of <paramref name="path"/> (not other events with a RequestPath, e.g. a worker's relayed lines).</summary>
    private async Task<Serilog.Events.LogEvent> LoggedRequestAsync(string path)
    {
        bool Logged(Serilog.Events.LogEvent e) => CollectingSink.EventName(e) is "RequestCompleted" or "WorkerRequestCompleted" && CollectingSink.Property(e, "RequestPath") == path;
        await Eventually.WaitAsync(() => Host.Logs.Events.Any(Logged), "the request log event of " + path);
        return Host.Logs.Events.First(Logged);
    }

    [Fact]
    public async Task Bodies_StreamBothWays_AndWebSocketsPassThrough()
    {
        var body = new byte[5 * 1024 * 1024];
        using var upload = await Host.Client.PostAsync("/crashy/upload", new StreamContent(new MemoryStream(body)));
        using var stream = await Host.Client.GetAsync("/crashy/stream?chunks=200", HttpCompletionOption.ResponseHeadersRead);
        var lines = (await stream.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri($"ws://{Host.Address.Authority}/crashy/ws"), CancellationToken.None);
        await socket.SendAsync(Encoding.UTF8.GetBytes("hello worker"), WebSocketMessageType.Text, true, CancellationToken.None);
        var buffer = new byte[100];
        var received = await socket.ReceiveAsync(buffer, CancellationToken.None);
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);

        Assert.Equal(HttpStatusCode.OK, upload.StatusCode);
        Assert.Equal(body.Length, (await upload.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("length").GetInt64());
        Assert.Equal(200, lines.Length);
        Assert.Equal("chunk 199", lines[^1]);
        Assert.Equal("hello worker", Encoding.UTF8.GetString(buffer, 0, received.Count));
    }

    [Fact]
    public async Task TheApp_SeesTheClientsHeaders_AndNoneOfTheHostsOwn()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/crashy/whoami");
        request.Headers.TryAddWithoutValidation("X-Forwarded-For", "203.0.113.9");
        request.Headers.TryAddWithoutValidation("X-PluginHost-User", "mallory");
        request.Headers.TryAddWithoutValidation("X-PluginHost-Client", "198.51.100.7");
        using var response = await Host.Client.SendAsync(request);
        var whoami = await response.Content.ReadFromJsonAsync<JsonElement>();
        var headers = whoami.GetProperty("headers").EnumerateArray().Select(h => h.GetString()!).ToList();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("127.0.0.1", whoami.GetProperty("remoteIp").GetString());
        Assert.Equal(JsonValueKind.Null, whoami.GetProperty("user").ValueKind);
        Assert.Contains(headers, h => h.Equals("X-Forwarded-For", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(headers, h => h.StartsWith("X-PluginHost-", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task ManyLongRequests_AtOnce_DoNotHoldUpTheAppsOtherRequests()
    {
        // The host speaks HTTP/2 to a worker: past the streams one connection allows (Kestrel's 100) it must open another, not queue.
        using var longClient = new HttpClient { BaseAddress = Host.Address, Timeout = Timeout.InfiniteTimeSpan };
        using var stop = new CancellationTokenSource();
        var running = Enumerable.Range(0, 150).Select(_ => longClient.GetAsync("/crashy/slow?ms=120000", stop.Token)).ToList();
        await Eventually.WaitAsync(async () => await InFlightAsync("Crashy") >= 150, "150 long requests running in the Crashy app");
        using var answered = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var whoami = await Host.Client.GetAsync("/crashy/whoami", answered.Token);
        var stillRunning = running.Count(request => !request.IsCompleted);
        await stop.CancelAsync();
        await Task.WhenAll(running.Select(request => request.ContinueWith(_ => { }, TaskScheduler.Default)));

        Assert.Equal(HttpStatusCode.OK, whoami.StatusCode);
        Assert.Equal(150, stillRunning);
        await Eventually.WaitAsync(async () => await InFlightAsync("Crashy") == 0, "the long requests ending with their clients");
    }

    private async Task<long> InFlightAsync(string app) =>
        (await Host.GetJsonAsync("/_pluginhost/status")).GetProperty("apps").EnumerateArray()
            .Single(a => a.GetProperty("name").GetString() == app).GetProperty("inFlight").GetInt64();

    [Fact]
    public async Task Reloads_UnderLoad_FailNoRequest_AndStopTheOldWorkers()
    {
        await using var load = new ContinuousRequests(Host.Address, ["/api/v1/version", "/crashy/whoami", "/", "/tiny"], clientsPerPath: 3);
        await load.WaitForMoreAsync(50, "traffic before the first reload");
        var oldWorkers = new List<int>();
        for (var i = 0; i < 4; i++)
        {
            oldWorkers.Add(await ProcessApps.WorkerPidAsync(Host, "ReportingApi"));
            oldWorkers.Add(await ProcessApps.WorkerPidAsync(Host, "Crashy"));
            var before = Host.GenerationNumber;
            Releases.Promote(i % 2 == 0 ? "v2" : "v1");
            // Three process apps each start a worker under load, the spare of the last deploy perhaps not ready yet: on a
            // busy 2-core machine that can take longer than the default bound.
            await Host.WaitForGenerationAsync(before, $"process-mode reload {i + 1} of 4", TimeSpan.FromSeconds(60));
            await load.WaitForMoreAsync(20, "traffic on the new generation");
        }

        await load.StopAsync();

        Assert.Empty(load.Failures);
        Assert.Equal("v1", await Host.VersionServedAsync());
        Assert.Equal(5, (await Host.GetJsonAsync("/crashy/whoami")).GetProperty("generation").GetInt64());
        await Eventually.WaitAsync(() => oldWorkers.All(pid => !ProcessApps.IsRunning(pid)), "every replaced worker exiting");
        Assert.Empty(await Host.CollectRetiredAsync());
    }

    [Theory]
    [InlineData("exit", "exit code 3")]
    [InlineData("stackoverflow", "signal 6 (SIGABRT)")]
    [InlineData("thread", "signal 6 (SIGABRT)")]
    [InlineData("oom", "signal 6 (SIGABRT)")]
    [InlineData("sigkill", "signal 9 (SIGKILL)")]
    public async Task A_DyingWorker_FailsOnlyItsOwnApp_AndIsRestarted(string fault, string exitStatus)
    {
        await using var others = new ContinuousRequests(Host.Address, ["/api/v1/version", "/", "/tiny"], clientsPerPath: 3);
        await others.WaitForMoreAsync(50, "traffic to the other apps");
        var pid = await ProcessApps.WorkerPidAsync(Host, "Crashy");

        if (fault == "sigkill")
        {
            System.Diagnostics.Process.GetProcessById(pid).Kill();
        }
        else
        {
            using var crash = await Host.Client.PostAsync($"/crashy/crash/{fault}", null);
        }

        var successor = await ProcessApps.WaitForNewWorkerAsync(Host, "Crashy", pid, $"a new worker after '{fault}'");
        await others.WaitForMoreAsync(50, "traffic to the other apps after the restart");
        await others.StopAsync();

        Assert.Empty(others.Failures);
        Assert.False(ProcessApps.IsRunning(pid));
        Assert.Equal(successor, (await Host.GetJsonAsync("/crashy/whoami")).GetProperty("pid").GetInt32());
        Assert.Equal(1, (await ProcessApps.WorkerAsync(Host, "Crashy")).GetProperty("restarts").GetInt32());
        Assert.Contains(Host.Logs.Messages, m => m.Contains($"\"Crashy\" worker {pid} died with \"{exitStatus}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_WorkerThatStopsAnswering_IsReplaced()
    {
        var pid = await ProcessApps.WorkerPidAsync(Host, "Crashy");
        using var stopped = System.Diagnostics.Process.Start("kill", ["-STOP", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await stopped.WaitForExitAsync();

        var successor = await ProcessApps.WaitForNewWorkerAsync(Host, "Crashy", pid, "a new worker in place of the one that stopped answering");

        Assert.NotEqual(pid, successor);
        await Eventually.WaitAsync(() => !ProcessApps.IsRunning(pid), "the hung worker being killed");
        Assert.Contains(Host.Logs.Messages, m => m.Contains("did not answer 3 readiness probes", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_BrokenRelease_KeepsTheOldWorkerServing_AndSaysWhy()
    {
        var pid = await ProcessApps.WorkerPidAsync(Host, "Crashy");
        Releases.CreateSampleRelease("v3");
        Releases.CreateRelease("v3", ("Crashy", "CrashesOnDemand"), ("Tiny", "TinyJson"));
        File.WriteAllText(Path.Combine(Releases.ReleasesRoot, "v3", "Crashy", "CrashesOnDemand.dll"), "not an assembly");
        var reloads = Host.Coordinator.History.Count;

        Releases.Promote("v3");
        await Host.WaitForReloadResultAsync(reloads, "the failed reload to v3");

        var result = Host.Coordinator.LastResult!;
        Assert.False(result.Ok);
        Assert.Contains("Crashy", result.Error, StringComparison.Ordinal);
        Assert.Contains("worker", result.Error, StringComparison.Ordinal);
        Assert.Contains("exited with exit code 1 before it was ready", result.Error, StringComparison.Ordinal);
        Assert.Contains("CrashesOnDemand.dll", result.Error, StringComparison.Ordinal);
        Assert.Equal(pid, (await Host.GetJsonAsync("/crashy/whoami")).GetProperty("pid").GetInt32());
        Assert.Equal("v1", await Host.VersionServedAsync());
    }
}
