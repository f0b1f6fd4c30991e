using System.Diagnostics;
using System.Net;
using System.Net.WebSockets;
using PluginHost.IntegrationTests.Infrastructure;
using Serilog.Events;

namespace PluginHost.IntegrationTests.LongLived;

/// <summary>
/// Issue 18: long-lived connections across deploys. The LongLivedConnections test plugin (a docs-style WebSocket echo, SSE,
/// a slow endpoint, a SignalR hub registered with only AddSignalR + MapHub) is reloaded under open connections, in
/// <c>reconnect</c> mode (the default) and in <c>keep</c> mode; each test asserts where the connections went, how they
/// ended, what was logged, and that the old generation was collected and never reported leaked.
/// </summary>
[Collection(TimingCollection.Name)]
public sealed class LongLivedDeployTests : IAsyncLifetime
{
    private const string Mount = "/live";
    private const string App = "LongLived";
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(50);

    private readonly TempReleases _releases = new();
    private HostRunner? _host;

    private HostRunner Host => _host ?? throw new InvalidOperationException("the host was not started");

    public Task InitializeAsync()
    {
        _releases.CreateRelease("v1", (App, "LongLivedConnections"));
        _releases.Promote("v1");
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        _releases.Dispose();
    }

    [Fact]
    public async Task Reconnect_SignalRClients_AnsweredByTheNewGenerationWithinThreeSecondsAndNoInvocationFailsOrHangs()
    {
        await StartAsync(drainTimeout: "5s");
        var clients = new List<ChatClient>();
        for (var i = 0; i < 5; i++)
        {
            clients.Add(await ChatClient.StartAsync(AppUri(Uri.UriSchemeHttp, "/hubs/chat"), Interval));
        }

        try
        {
            await Eventually.WaitAsync(() => clients.All(c => c.Answers.Count > 0), "every client answered by generation 1");
            var swappedAt = await ReloadAsync();

            await Eventually.WaitAsync(() => clients.All(c => c.Answers.Any(a => a.Generation == 2)), "every client answered by generation 2");
            var timeline = string.Join("; ", clients.Select(c => Timeline(c, swappedAt)));
            foreach (var client in clients)
            {
                var first = client.Answers.First(a => a.Generation == 2).At;
                Assert.True(first - swappedAt < TimeSpan.FromSeconds(3),
                    $"a client was first answered by generation 2 {(first - swappedAt).TotalSeconds:0.00} s after the swap ({timeline})");
                Assert.True(client.Reconnects > 0, "the client should have reconnected");
                Assert.DoesNotContain(client.Answers.SkipWhile(a => a.Generation == 1), a => a.Generation == 1);
            }
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }

        Assert.Empty(clients.SelectMany(c => c.Failures));
        Assert.Equal(0, clients.Sum(c => c.Hung));
        await AssertOldGenerationCollectedAsync();
        AssertNoErrorsLogged();
    }

    [Fact]
    public async Task Reconnect_WebSocketsAndEventStreams_ObservingEndCleanlyAtTheSwap_OthersAbortedAtTheDrainTimeout()
    {
        await StartAsync(drainTimeout: "3s");
        await using var observing = await EchoClient.ConnectAsync(AppUri(Uri.UriSchemeWs, "/ws"), Interval, CancellationToken.None);
        await using var plain = await EchoClient.ConnectAsync(AppUri(Uri.UriSchemeWs, "/ws-plain"), Interval, CancellationToken.None);
        await using var events = await EventStreamClient.OpenAsync(Host.Client, $"{Mount}/sse");
        await using var manualEvents = await EventStreamClient.OpenAsync(Host.Client, $"{Mount}/sse-manual");

        var swappedAt = await ReloadAsync();
        var observingEnd = await observing.Ended.WaitAsync(TimeSpan.FromSeconds(10));
        var eventsEnd = await events.Ended.WaitAsync(TimeSpan.FromSeconds(10));
        var signalled = DateTime.UtcNow - swappedAt;
        var plainEnd = await plain.Ended.WaitAsync(TimeSpan.FromSeconds(20));
        await manualEvents.Ended.WaitAsync(TimeSpan.FromSeconds(20));
        var aborted = DateTime.UtcNow - swappedAt;

        // Told at the swap: a WebSocket that watches ApplicationStopping closes with 1001, the typed SSE stream completes.
        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, observingEnd.CloseStatus);
        Assert.Equal("going away", observingEnd.CloseDescription);
        Assert.True(eventsEnd.Clean, $"the SSE stream should have ended cleanly: {eventsEnd}");
        Assert.True(signalled < TimeSpan.FromSeconds(2.5), $"the observing streams ended {signalled.TotalSeconds:0.0} s after the swap");
        // At the drain timeout: RequestAborted ends the hand-written SSE loop; the WebSocket observing nothing is cut.
        Assert.False(plainEnd.Clean, $"the WebSocket observing nothing should have been cut at the drain timeout: {plainEnd}");
        Assert.True(aborted >= TimeSpan.FromSeconds(2.5), $"the streams observing only RequestAborted or nothing ended {aborted.TotalSeconds:0.0} s after the swap, before the drain timeout");
        Assert.All(new[] { observing.AnsweredBy, plain.AnsweredBy }, answers => Assert.All(answers, g => Assert.Equal(1, g)));
        AssertAbortLogged("GET", $"{Mount}/ws-plain");
        AssertAbortLogged("GET", $"{Mount}/sse-manual");
        await AssertOldGenerationCollectedAsync();
        AssertNoErrorsLogged();
    }

    [Fact]
    public async Task Reconnect_SlowRequestOutlivingTheDrainTimeout_AbortedAndLoggedByPath_NoServerErrorNoDisposedContainer()
    {
        await StartAsync(drainTimeout: "2s");
        var slow = Host.Client.GetAsync($"{Mount}/slow?ms=60000");
        await Eventually.WaitAsync(() => Host.Current.Value!.Apps[0].InFlight == 1, "the slow request in the app");

        await ReloadAsync();
        using var response = await slow.WaitAsync(TimeSpan.FromSeconds(20));

        // Its response had not started: 503, which a client may retry (on the new generation).
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        AssertAbortLogged("GET", $"{Mount}/slow");
        await AssertOldGenerationCollectedAsync();
        Assert.DoesNotContain(Host.Logs.Events, e => $"{e.RenderMessage()} {e.Exception}".Contains(nameof(ObjectDisposedException), StringComparison.Ordinal));
        Assert.DoesNotContain(Host.Logs.Events, e => CollectingSink.Property(e, "StatusCode") == "500");
        AssertNoErrorsLogged();
    }

    [Fact]
    public async Task Keep_OpenConnections_ServedByTheOldGenerationPastTheDrainTimeout_DrainingNotLeaked_CollectedWhenClosed()
    {
        await StartAsync(drainTimeout: "1s", longLived: "keep");
        var plain = await EchoClient.ConnectAsync(AppUri(Uri.UriSchemeWs, "/ws-plain"), Interval, CancellationToken.None);
        await using var events = await EventStreamClient.OpenAsync(Host.Client, $"{Mount}/sse-manual");
        try
        {
            var swappedAt = await ReloadAsync();
            var answeredBefore = plain.AnsweredBy.Count;
            await Eventually.WaitAsync(() => DateTime.UtcNow - swappedAt > TimeSpan.FromSeconds(3) && plain.AnsweredBy.Count > answeredBefore + 10,
                "echoes well past the drain timeout");

            Assert.False(plain.Ended.IsCompleted, "the WebSocket should still be open");
            Assert.All(plain.AnsweredBy, g => Assert.Equal(1, g));
            Assert.Equal(1, events.SentBy[^1]);
            var retiring = Assert.Single((await Host.GetJsonAsync("/_pluginhost/status")).GetProperty("retiring").EnumerateArray());
            Assert.Equal(1, retiring.GetProperty("generation").GetInt64());
            Assert.Equal("draining", retiring.GetProperty("state").GetString());
            Assert.Equal(2, Assert.Single(retiring.GetProperty("apps").EnumerateArray()).GetProperty("inFlight").GetInt64());
            Assert.Empty(Host.Tracker.Leaked);
            Assert.DoesNotContain(Host.Logs.Events, e => CollectingSink.EventName(e) is "GenerationLeaked" or "RequestAborting");
        }
        finally
        {
            await plain.DisposeAsync();
        }

        await events.DisposeAsync();
        await AssertOldGenerationCollectedAsync();
        AssertNoErrorsLogged();
    }

    [Fact]
    public async Task Reconnect_TwentyReloadsWithTenWebSocketClientsThatReconnect_EveryGenerationReachedNothingLeaked()
    {
        const int reloads = 20;
        const int clientCount = 10;
        await StartAsync(drainTimeout: "5s");
        using var stop = new CancellationTokenSource();
        var seen = new System.Collections.Concurrent.ConcurrentDictionary<long, int>();
        var clients = Enumerable.Range(0, clientCount).Select(_ => Task.Run(() => ReconnectingClientAsync(seen, stop.Token))).ToList();
        await Eventually.WaitAsync(() => seen.GetValueOrDefault(1) >= clientCount, "every client on generation 1");

        for (var generation = 2; generation <= reloads + 1; generation++)
        {
            await ReloadAsync();
            var reached = generation;
            await Eventually.WaitAsync(() => seen.GetValueOrDefault(reached) >= clientCount, $"every client on generation {reached}");
        }

        await stop.CancelAsync();
        var disconnects = await Task.WhenAll(clients);

        Assert.All(Enumerable.Range(1, reloads + 1), g => Assert.True(seen.GetValueOrDefault(g) >= clientCount, $"generation {g} reached by {seen.GetValueOrDefault(g)} clients"));
        Assert.All(disconnects, d => Assert.Empty(d));
        Assert.Empty(await Host.CollectRetiredAsync());
        Assert.Empty(Host.Tracker.Leaked);
        AssertNoErrorsLogged();
    }

    /// <summary>Connects to /ws, echoes until the server closes (1001 at a deploy), reconnects; returns unclean ends.</summary>
    private async Task<List<string>> ReconnectingClientAsync(System.Collections.Concurrent.ConcurrentDictionary<long, int> seen, CancellationToken stop)
    {
        var unclean = new List<string>();
        while (!stop.IsCancellationRequested)
        {
            await using var client = await EchoClient.ConnectAsync(AppUri(Uri.UriSchemeWs, "/ws"), Interval, stop);
            seen.AddOrUpdate(client.AnsweredBy[0], 1, (_, n) => n + 1);
            await ((Task)client.Ended).WaitAsync(stop).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (client.Ended.IsCompletedSuccessfully && client.Ended.Result.CloseStatus != WebSocketCloseStatus.EndpointUnavailable && !stop.IsCancellationRequested)
            {
                unclean.Add(client.Ended.Result.ToString());
            }
        }

        return unclean;
    }

    private async Task StartAsync(string drainTimeout, string longLived = "reconnect")
    {
        _releases.WriteConfig($"""
            releases:
              root: releases
            reload:
              trigger: releases/reload.trigger
              pollInterval: 100ms
              debounce: 50ms
              drainTimeout: {drainTimeout}
              unloadTimeout: 10s
              longLived: {longLived}
            apps:
              - name: {App}
                mount: {Mount}
                assembly: {App}/LongLivedConnections.dll
                warmup: [/]
            """);
        _host = await HostRunner.StartAsync(_releases.ConfigPath);
    }

    /// <summary>Touches the trigger, waits for the next generation to serve; returns when the test saw it serve.</summary>
    private async Task<DateTime> ReloadAsync()
    {
        var before = Host.GenerationNumber;
        _releases.Touch();
        await Eventually.WaitAsync(() => Host.GenerationNumber > before, $"generation {before + 1} serving");
        return DateTime.UtcNow;
    }

    /// <summary>Seconds after the swap at which a client lost its connection, got it back and was first answered by generation 2.</summary>
    private static string Timeline(ChatClient client, DateTime swappedAt)
    {
        static string After(DateTime? at, DateTime swappedAt) => at is { } t ? $"{(t - swappedAt).TotalSeconds:0.00}" : "-";
        var first = client.Answers.FirstOrDefault(a => a.Generation == 2).At;
        return $"lost {After(client.ReconnectingAt, swappedAt)} back {After(client.ReconnectedAt, swappedAt)} gen 2 {After(first == default ? null : first, swappedAt)}";
    }

    private Uri AppUri(string scheme, string path) => new UriBuilder(Host.Address) { Scheme = scheme, Path = Mount + path }.Uri;

    private void AssertAbortLogged(string method, string path) =>
        Assert.Contains(Host.Logs.Events, e => CollectingSink.EventName(e) == "RequestAborting"
                                               && CollectingSink.Property(e, "Method") == method && CollectingSink.Property(e, "Path") == path);

    /// <summary>Every retired generation is collected, logged as unloaded, and none was ever reported leaked.</summary>
    private async Task AssertOldGenerationCollectedAsync()
    {
        Assert.Empty(await Host.CollectRetiredAsync(TimeSpan.FromSeconds(30)));
        Assert.Empty(Host.Tracker.Leaked);
        Assert.Contains(Host.Logs.Events, e => CollectingSink.EventName(e) is "GenerationUnloaded" or "GenerationUnloadedLate");
        Assert.DoesNotContain(Host.Logs.Events, e => CollectingSink.EventName(e) == "GenerationLeaked");
    }

    private void AssertNoErrorsLogged() =>
        Assert.Empty(Host.Logs.Events.Where(e => e.Level >= LogEventLevel.Error).Select(e => $"{e.RenderMessage()} {e.Exception}"));
}
