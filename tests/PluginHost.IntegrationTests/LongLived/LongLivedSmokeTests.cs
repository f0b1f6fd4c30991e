using System.Net;
using System.Net.Http.Json;
using System.Net.ServerSentEvents;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using PluginHost.IntegrationTests.Infrastructure;
using Serilog.Events;

namespace PluginHost.IntegrationTests.LongLived;

/// <summary>
/// Issue 18: the LongLivedConnections test plugin loads on the host and each of its endpoints works through real Kestrel
/// with real clients (ClientWebSocket, a streaming HttpClient, the SignalR client). One generation, no reloads.
/// </summary>
public class LongLivedSmokeTests : HostedTest
{
    /// <summary>The app's isolation line in config.yaml (none: in the host's process).</summary>
    protected virtual string Isolation => "";

    private const string Mount = "/live";
    protected const string App = "LongLived";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    protected override void Arrange()
    {
        Releases.CreateRelease("v1", (App, "LongLivedConnections"));
        Releases.Promote("v1");
        Releases.WriteConfig($"""
            releases:
              root: releases
            reload:
              trigger: releases/reload.trigger
              pollInterval: 200ms
              debounce: 100ms
              drainTimeout: 5s
              unloadTimeout: 10s
            apps:
              - name: {App}
                mount: {Mount}
                assembly: {App}/LongLivedConnections.dll
                warmup: [/]
                {Isolation}
            """);
    }

    [Fact]
    public async Task GetRoot_FirstGeneration_AnswersPluginInfo()
    {
        using var response = await Host.Client.GetAsync($"{Mount}/");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("1", Assert.Single(response.Headers.GetValues("X-Plugin-Generation")));
        var info = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(App, info.GetProperty("app").GetString());
        Assert.Equal("v1", info.GetProperty("version").GetString());
        Assert.Equal(1, info.GetProperty("generation").GetInt64());
        Assert.Equal("long-lived-connections", info.GetProperty("behaviour").GetString());
        await AssertEndedCleanlyAsync();
    }

    [Fact]
    public async Task WebSocket_MessagesUntilTheClientCloses_EchoedWithTheGeneration() => await EchoAsync("/ws");

    [Fact]
    public async Task WebSocketPlain_MessagesUntilTheClientCloses_EchoedWithTheGeneration() => await EchoAsync("/ws-plain");

    [Fact]
    public async Task ServerSentEvents_TypedResult_StreamsTicksOfTheGeneration() =>
        await ReadTicksAsync("/sse", expectedEventType: "tick");

    [Fact]
    public async Task ServerSentEvents_HandWrittenLoop_StreamsTicksOfTheGeneration() =>
        await ReadTicksAsync("/sse-manual", expectedEventType: SseParser.EventTypeDefault);

    [Fact]
    public async Task Slow_AfterItsDelay_ResolvesAnAppServiceAndAnswersOk()
    {
        using var timeout = new CancellationTokenSource(Deadline);
        using var response = await Host.Client.GetAsync($"{Mount}/slow?ms=200", timeout.Token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = await response.Content.ReadFromJsonAsync<JsonElement>(timeout.Token);
        Assert.Equal(1, answer.GetProperty("generation").GetInt64());
        Assert.Equal(200, answer.GetProperty("waitedMs").GetInt32());
        await AssertEndedCleanlyAsync();
    }

    [Theory]
    [InlineData(HttpTransportType.WebSockets)]
    [InlineData(HttpTransportType.ServerSentEvents)]
    [InlineData(HttpTransportType.LongPolling)]
    public async Task ChatHub_RegisteredAsTheDocsDo_AnswersInvocationsAndBroadcasts(HttpTransportType transport)
    {
        using var timeout = new CancellationTokenSource(Deadline);
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(Host.Address, $"{Mount}/hubs/chat"), transport)
            .WithAutomaticReconnect()
            .Build();
        await using (connection)
        {
            var broadcast = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            using var subscription = connection.On<string>("message", message => broadcast.TrySetResult(message));

            await connection.StartAsync(timeout.Token);
            Assert.Equal(HubConnectionState.Connected, connection.State);

            Assert.Equal("gen 1: hi", await connection.InvokeAsync<string>("Echo", "hi", timeout.Token));
            Assert.Equal(1, await connection.InvokeAsync<long>("Generation", timeout.Token));
            await connection.InvokeAsync("Broadcast", "to all", timeout.Token);
            Assert.Equal("gen 1: to all", await broadcast.Task.WaitAsync(timeout.Token));

            await connection.StopAsync(timeout.Token);
        }

        await AssertEndedCleanlyAsync();
    }

    private async Task EchoAsync(string path)
    {
        using var timeout = new CancellationTokenSource(Deadline);
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        await socket.ConnectAsync(WebSocketUri(path), timeout.Token);
        Assert.Equal(HttpStatusCode.SwitchingProtocols, socket.HttpStatusCode);
        Assert.Equal("1", Assert.Single(socket.HttpResponseHeaders!["X-Plugin-Generation"]));

        await SendTextAsync(socket, "hello", timeout.Token);
        Assert.Equal("gen 1: hello", await ReceiveTextAsync(socket, timeout.Token));
        // Larger than the server's 4 KiB buffer: echoed in several fragments, the prefix only before the first.
        var large = string.Concat(Enumerable.Repeat("0123456789", 1_000));
        await SendTextAsync(socket, large, timeout.Token);
        Assert.Equal("gen 1: " + large, await ReceiveTextAsync(socket, timeout.Token));

        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", timeout.Token);
        Assert.Equal(WebSocketState.Closed, socket.State);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, socket.CloseStatus);
        await AssertEndedCleanlyAsync();
    }

    private async Task ReadTicksAsync(string path, string expectedEventType)
    {
        using var timeout = new CancellationTokenSource(Deadline);
        var ticks = new List<SseItem<string>>();
        using (var response = await Host.Client.GetAsync($"{Mount}{path}", HttpCompletionOption.ResponseHeadersRead, timeout.Token))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal("1", Assert.Single(response.Headers.GetValues("X-Plugin-Generation")));
            await using var stream = await response.Content.ReadAsStreamAsync(timeout.Token);
            await foreach (var item in SseParser.Create(stream).EnumerateAsync(timeout.Token))
            {
                ticks.Add(item);
                if (ticks.Count == 3)
                {
                    break;
                }
            }
        }

        Assert.Equal(["gen 1: tick 1", "gen 1: tick 2", "gen 1: tick 3"], ticks.Select(t => t.Data));
        Assert.All(ticks, t => Assert.Equal(expectedEventType, t.EventType));
        // The client went away: the stream's request ends on the server.
        await AssertEndedCleanlyAsync();
    }

    /// <summary>Every request of the test has left the app, and nothing was logged as an error (no 500, no exception).</summary>
    private async Task AssertEndedCleanlyAsync()
    {
        // The generation's count drops after the app's and after the host logged the request.
        await Eventually.WaitAsync(() => Host.Current.Value!.Apps[0].InFlight == 0 && Host.Current.Value.InFlight == 0, "no request left in the app");
        Assert.Empty(Host.Logs.Events.Where(e => e.Level >= LogEventLevel.Error).Select(e => e.RenderMessage() + " " + e.Exception));
    }

    private Uri WebSocketUri(string path) =>
        new UriBuilder(Host.Address) { Scheme = Uri.UriSchemeWs, Path = Mount + path }.Uri;

    private static Task SendTextAsync(ClientWebSocket socket, string text, CancellationToken cancellationToken) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(text).AsMemory(), WebSocketMessageType.Text, endOfMessage: true, cancellationToken).AsTask();

    private static async Task<string> ReceiveTextAsync(ClientWebSocket socket, CancellationToken cancellationToken)
    {
        var buffer = new byte[1024];
        using var message = new MemoryStream();
        ValueWebSocketReceiveResult result;
        do
        {
            result = await socket.ReceiveAsync(buffer.AsMemory(), cancellationToken);
            Assert.Equal(WebSocketMessageType.Text, result.MessageType);
            message.Write(buffer, 0, result.Count);
        }
        while (!result.EndOfMessage);

        return Encoding.UTF8.GetString(message.ToArray());
    }
}

/// <summary>The same in a worker process: WebSockets (as HTTP/2 WebSockets on the host's hop), SSE and SignalR through the forwarder.</summary>
public sealed class LongLivedProcessModeSmokeTests : LongLivedSmokeTests
{
    protected override string Isolation => "isolation: process";

    [Fact]
    public async Task TheApp_RunsInAWorkerProcess() =>
        Assert.NotEqual(Environment.ProcessId, (await Workers.ProcessApps.WorkerAsync(Host, App)).GetProperty("pid").GetInt32());
}
