using System.Globalization;
using System.Net.ServerSentEvents;
using System.Net.WebSockets;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;

namespace PluginHost.IntegrationTests.LongLived;

/// <summary>How a long-lived connection ended, as its client saw it.</summary>
/// <param name="CloseStatus">The server's WebSocket close status, if it closed the socket with a frame.</param>
/// <param name="Error">What the client got instead of a clean end (a reset connection, a truncated stream).</param>
public sealed record ConnectionEnd(WebSocketCloseStatus? CloseStatus, string? CloseDescription, Exception? Error)
{
    public bool Clean => Error is null;

    public override string ToString() =>
        Error is not null ? $"error {Error.GetType().Name}: {Error.Message}" : CloseStatus is { } status ? $"close {(int)status} '{CloseDescription}'" : "ended";
}

/// <summary>Parses "gen N: …", the answers of the LongLivedConnections test plugin.</summary>
public static partial class GenerationOf
{
    public static long Answer(string text)
    {
        var match = Prefix().Match(text);
        return match.Success ? long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : throw new FormatException($"not a 'gen N: …' answer: {text}");
    }

    [GeneratedRegex(@"^gen (\d+): ")]
    private static partial Regex Prefix();
}

/// <summary>
/// A WebSocket client of the echo endpoints: sends a message every <paramref name="interval"/>, records which generation
/// answered each, until the server closes or cuts the connection (or the test stops it).
/// </summary>
public sealed class EchoClient : IAsyncDisposable
{
    private readonly ClientWebSocket _socket = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly List<long> _answeredBy = [];
    private int _disposed;
    private Task<ConnectionEnd> _run = Task.FromResult(new ConnectionEnd(null, null, null));

    private EchoClient()
    {
    }

    public Task<ConnectionEnd> Ended => _run;

    public IReadOnlyList<long> AnsweredBy
    {
        get
        {
            lock (_answeredBy)
            {
                return [.. _answeredBy];
            }
        }
    }

    public static async Task<EchoClient> ConnectAsync(Uri uri, TimeSpan interval, CancellationToken cancellationToken)
    {
        var client = new EchoClient();
        await client._socket.ConnectAsync(uri, cancellationToken);
        client._run = Task.Run(() => client.RunAsync(interval));
        await Infrastructure.Eventually.WaitAsync(() => client.AnsweredBy.Count > 0 || client._run.IsCompleted, $"a first echo from {uri}");
        return client;
    }

    private async Task<ConnectionEnd> RunAsync(TimeSpan interval)
    {
        var buffer = new byte[4096];
        try
        {
            for (var n = 1; !_stop.IsCancellationRequested; n++)
            {
                // Not cancelled by the test's stop: cancelling a WebSocket operation aborts the connection.
                await _socket.SendAsync(Encoding.UTF8.GetBytes($"message {n}"), WebSocketMessageType.Text, true, CancellationToken.None);
                var answer = await ReceiveMessageAsync(buffer);
                if (answer is null)
                {
                    // The server closed: answer its close frame, as a browser does.
                    await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);
                    return new ConnectionEnd(_socket.CloseStatus, _socket.CloseStatusDescription, null);
                }

                lock (_answeredBy)
                {
                    _answeredBy.Add(GenerationOf.Answer(answer));
                }

                await Task.Delay(interval, _stop.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }

            // The test is done with it: close as a browser does, with the handshake.
            await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
            return new ConnectionEnd(null, null, null);
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or TimeoutException)
        {
            return new ConnectionEnd(null, null, ex);
        }
    }

    /// <summary>One whole text message (the server sends its "gen N: " prefix as a fragment of its own), or null on close.</summary>
    private async Task<string?> ReceiveMessageAsync(byte[] buffer)
    {
        var message = new StringBuilder();
        ValueWebSocketReceiveResult result;
        do
        {
            result = await _socket.ReceiveAsync(buffer.AsMemory(), CancellationToken.None);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }

            message.Append(Encoding.UTF8.GetString(buffer, 0, result.Count));
        }
        while (!result.EndOfMessage);

        return message.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            await _stop.CancelAsync();
            await _run;
            _socket.Dispose();
            _stop.Dispose();
        }
    }
}

/// <summary>Reads a server-sent event stream to its end, recording which generation sent each event.</summary>
public sealed class EventStreamClient : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly List<long> _sentBy = [];
    private int _disposed;
    private Task<ConnectionEnd> _run = Task.FromResult(new ConnectionEnd(null, null, null));

    private EventStreamClient()
    {
    }

    public Task<ConnectionEnd> Ended => _run;

    public IReadOnlyList<long> SentBy
    {
        get
        {
            lock (_sentBy)
            {
                return [.. _sentBy];
            }
        }
    }

    public static async Task<EventStreamClient> OpenAsync(HttpClient http, string path)
    {
        var client = new EventStreamClient();
        var response = await http.GetAsync(path, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        client._run = Task.Run(() => client.ReadAsync(response));
        await Infrastructure.Eventually.WaitAsync(() => client.SentBy.Count > 0 || client._run.IsCompleted, $"a first event from {path}");
        return client;
    }

    private async Task<ConnectionEnd> ReadAsync(HttpResponseMessage response)
    {
        using (response)
        {
            try
            {
                await using var stream = await response.Content.ReadAsStreamAsync(_stop.Token);
                await foreach (var item in SseParser.Create(stream).EnumerateAsync(_stop.Token))
                {
                    lock (_sentBy)
                    {
                        _sentBy.Add(GenerationOf.Answer(item.Data));
                    }
                }

                return new ConnectionEnd(null, null, null);
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return new ConnectionEnd(null, null, null);
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException)
            {
                return new ConnectionEnd(null, null, ex);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            await _stop.CancelAsync();
            await _run;
            _stop.Dispose();
        }
    }
}

/// <summary>
/// A SignalR client as an app's front end writes one: automatic reconnect, and an <c>Echo</c> invocation every
/// <paramref name="interval"/> while connected. Each invocation is bounded: one that does not complete in time hangs.
/// One interrupted by the connection closing is sent again once reconnected, as a client must; it counts as interrupted,
/// and as failed only if it fails for another reason.
/// </summary>
public sealed class ChatClient : IAsyncDisposable
{
    public static readonly TimeSpan InvocationBound = TimeSpan.FromSeconds(5);

    private readonly HubConnection _connection;
    private readonly TimeSpan _interval;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<(long Generation, DateTime At)> _answers = [];
    private readonly List<string> _failures = [];
    private Task _run = Task.CompletedTask;

    private ChatClient(Uri hub, TimeSpan interval)
    {
        _interval = interval;
        _connection = new HubConnectionBuilder()
            .WithUrl(hub, HttpTransportType.WebSockets)
            .WithAutomaticReconnect()
            .Build();
    }

    public int Interrupted { get; private set; }
    public int Hung { get; private set; }
    public int Reconnects { get; private set; }

    /// <summary>When the connection was lost (Reconnecting) and back (Reconnected), for a failure message.</summary>
    public DateTime? ReconnectingAt { get; private set; }
    public DateTime? ReconnectedAt { get; private set; }

    public IReadOnlyList<string> Failures
    {
        get
        {
            lock (_answers)
            {
                return [.. _failures];
            }
        }
    }

    public IReadOnlyList<(long Generation, DateTime At)> Answers
    {
        get
        {
            lock (_answers)
            {
                return [.. _answers];
            }
        }
    }

    public static async Task<ChatClient> StartAsync(Uri hub, TimeSpan interval)
    {
        var client = new ChatClient(hub, interval);
        client._connection.Reconnecting += _ =>
        {
            client.ReconnectingAt ??= DateTime.UtcNow;
            return Task.CompletedTask;
        };
        client._connection.Reconnected += _ =>
        {
            client.ReconnectedAt ??= DateTime.UtcNow;
            client.Reconnects++;
            return Task.CompletedTask;
        };
        await client._connection.StartAsync();
        client._run = Task.Run(client.InvokeAsync);
        return client;
    }

    private async Task InvokeAsync()
    {
        for (var n = 1; !_stop.IsCancellationRequested; n++)
        {
            await SendUntilAnsweredAsync($"message {n}");
            await Task.Delay(_interval, _stop.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private async Task SendUntilAnsweredAsync(string text)
    {
        while (!_stop.IsCancellationRequested)
        {
            if (_connection.State != HubConnectionState.Connected)
            {
                await Task.Delay(10);
                continue;
            }

            using var bound = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            bound.CancelAfter(InvocationBound);
            try
            {
                var answer = await _connection.InvokeAsync<string>("Echo", text, bound.Token);
                lock (_answers)
                {
                    _answers.Add((GenerationOf.Answer(answer), DateTime.UtcNow));
                }

                return;
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (OperationCanceledException) when (bound.IsCancellationRequested)
            {
                Hung++;
                Fail($"'{text}' got no answer within {InvocationBound.TotalSeconds} s");
                return;
            }
            catch (Exception ex) when (_connection.State != HubConnectionState.Connected || IsConnectionClosed(ex))
            {
                Interrupted++;
                await Task.Delay(10);
            }
            catch (Exception ex)
            {
                Fail($"'{text}' failed: {ex.GetType().Name}: {ex.Message}");
                return;
            }
        }
    }

    /// <summary>The connection went away under the invocation (the old generation closed it): it is sent again.</summary>
    private static bool IsConnectionClosed(Exception ex) =>
        ex is WebSocketException or IOException
        // The client cancels its outstanding invocations when the connection closes (not this client's own tokens: those
        // are caught before), and may have reconnected by the time the failure is looked at.
        or OperationCanceledException
        || ex.Message.Contains("connection being closed", StringComparison.OrdinalIgnoreCase)
        || ex.Message.Contains("connection was stopped", StringComparison.OrdinalIgnoreCase);

    private void Fail(string failure)
    {
        lock (_answers)
        {
            _failures.Add(failure);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _run;
        await _connection.DisposeAsync();
        _stop.Dispose();
    }
}
