using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using PluginHost.Abstractions;

namespace LongLivedConnections;

/// <summary>
/// The echo loop of the docs' "WebSockets support in ASP.NET Core" sample: accept, then receive and send back until the
/// client closes. Each echoed message starts with "gen N: ", sent as the message's first fragment.
/// </summary>
public static class WebSocketEcho
{
    public const string GoingAway = "going away";

    /// <summary>How long the server waits for the client's close frame after it closed its side, before aborting.</summary>
    public static readonly TimeSpan CloseHandshakeTimeout = TimeSpan.FromSeconds(5);

    /// <summary><c>/ws-plain</c>: the docs' loop as it is. It observes nothing: not the app stopping, not the client's abort.</summary>
    public static async Task EchoAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.WebSockets.IsWebSocketRequest)
        {
            using var webSocket = await context.WebSockets.AcceptWebSocketAsync();
            await EchoAsync(webSocket, Prefix(context));
        }
        else
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
        }
    }

    /// <summary>
    /// <c>/ws</c>: the docs' loop that also watches <see cref="IHostApplicationLifetime.ApplicationStopping"/>. When the app
    /// stops it closes the socket with 1001 (EndpointUnavailable) "going away" and waits for the client's close frame.
    /// </summary>
    public static async Task EchoUntilStoppingAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.WebSockets.IsWebSocketRequest)
        {
            var lifetime = context.RequestServices.GetRequiredService<IHostApplicationLifetime>();
            using var webSocket = await context.WebSockets.AcceptWebSocketAsync();
            await EchoUntilStoppingAsync(webSocket, Prefix(context), lifetime.ApplicationStopping);
        }
        else
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
        }
    }

    private static byte[] Prefix(HttpContext context)
    {
        var generation = context.RequestServices.GetRequiredService<PluginContext>().Generation;
        return Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"gen {generation}: "));
    }

    private static async Task EchoAsync(WebSocket webSocket, byte[] prefix)
    {
        var buffer = new byte[1024 * 4];
        var receiveResult = await webSocket.ReceiveAsync(new ArraySegment<byte>(buffer), CancellationToken.None);
        var startOfMessage = true;

        while (!receiveResult.CloseStatus.HasValue)
        {
            await EchoFragmentAsync(webSocket, prefix, buffer, receiveResult, startOfMessage);
            startOfMessage = receiveResult.EndOfMessage;
            receiveResult = await webSocket.ReceiveAsync(new ArraySegment<byte>(buffer), CancellationToken.None);
        }

        await webSocket.CloseAsync(receiveResult.CloseStatus.Value, receiveResult.CloseStatusDescription, CancellationToken.None);
    }

    private static async Task EchoUntilStoppingAsync(WebSocket webSocket, byte[] prefix, CancellationToken stopping)
    {
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var registration = stopping.Register(() => stopped.TrySetResult());
        var buffer = new byte[1024 * 4];
        var startOfMessage = true;

        while (true)
        {
            // One receive at a time, raced against the stop signal: cancelling a receive would abort the socket.
            var receiving = webSocket.ReceiveAsync(new ArraySegment<byte>(buffer), CancellationToken.None);
            if (await Task.WhenAny(receiving, stopped.Task) == stopped.Task)
            {
                await CloseGoingAwayAsync(webSocket, receiving, buffer);
                return;
            }

            var receiveResult = await receiving;
            if (receiveResult.CloseStatus.HasValue)
            {
                await webSocket.CloseAsync(receiveResult.CloseStatus.Value, receiveResult.CloseStatusDescription, CancellationToken.None);
                return;
            }

            await EchoFragmentAsync(webSocket, prefix, buffer, receiveResult, startOfMessage);
            startOfMessage = receiveResult.EndOfMessage;
        }
    }

    /// <summary>Sends 1001 "going away", then reads (and drops) what the client still sends until its close frame.</summary>
    private static async Task CloseGoingAwayAsync(WebSocket webSocket, Task<WebSocketReceiveResult> receiving, byte[] buffer)
    {
        await webSocket.CloseOutputAsync(WebSocketCloseStatus.EndpointUnavailable, GoingAway, CancellationToken.None);
        using var timeout = new CancellationTokenSource(CloseHandshakeTimeout);
        try
        {
            var receiveResult = await receiving.WaitAsync(timeout.Token);
            while (receiveResult.MessageType != WebSocketMessageType.Close)
            {
                receiveResult = await webSocket.ReceiveAsync(new ArraySegment<byte>(buffer), timeout.Token);
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            // The client never answered the close: give up on it.
            webSocket.Abort();
        }
    }

    private static async Task EchoFragmentAsync(WebSocket webSocket, byte[] prefix, byte[] buffer, WebSocketReceiveResult receiveResult, bool startOfMessage)
    {
        if (startOfMessage)
        {
            await webSocket.SendAsync(new ArraySegment<byte>(prefix), receiveResult.MessageType, endOfMessage: false, CancellationToken.None);
        }

        await webSocket.SendAsync(new ArraySegment<byte>(buffer, 0, receiveResult.Count), receiveResult.MessageType, receiveResult.EndOfMessage, CancellationToken.None);
    }
}
