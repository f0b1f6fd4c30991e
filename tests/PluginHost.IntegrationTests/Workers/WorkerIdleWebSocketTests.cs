using System.Net.WebSockets;
using System.Text;
using PluginHost.IntegrationTests.Infrastructure;

namespace PluginHost.IntegrationTests.Workers;

/// <summary>A WebSocket to a process app stays open while it is idle, as it does in-process: requestTimeout is for requests, not connections.</summary>
public sealed class WorkerIdleWebSocketTests : HostedTest
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(2);

    protected override void Arrange()
    {
        ProcessApps.CreateReleases(Releases);
        ProcessApps.WriteConfig(Releases, crashyExtra: $"requestTimeout: {RequestTimeout.TotalSeconds}s");
    }

    [Fact]
    public async Task A_WebSocket_IdleLongerThanTheRequestTimeout_StaysOpen()
    {
        using var socket = new ClientWebSocket();
        socket.Options.KeepAliveInterval = TimeSpan.Zero; // no pings: the connection is really idle
        await socket.ConnectAsync(new Uri($"ws://{Host.Address.Authority}/crashy/ws"), CancellationToken.None);
        await EchoAsync(socket, "before");

        // The idle time is what is under test, not a wait for something to happen: well past requestTimeout + 5 s.
        await Task.Delay(RequestTimeout + TimeSpan.FromSeconds(8));

        Assert.Equal(WebSocketState.Open, socket.State);
        Assert.Equal("after", await EchoAsync(socket, "after"));
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
    }

    private static async Task<string> EchoAsync(ClientWebSocket socket, string text)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, timeout.Token);
        var buffer = new byte[100];
        var received = await socket.ReceiveAsync(buffer, timeout.Token);
        return Encoding.UTF8.GetString(buffer, 0, received.Count);
    }
}
