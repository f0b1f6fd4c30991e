using System.Diagnostics;
using System.Globalization;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using PluginHost.Benchmarks.Reporting;

namespace PluginHost.Benchmarks.Load;

/// <summary>
/// One SignalR client of the LongLivedConnections chat hub, as an app's front end writes one: WebSockets, automatic
/// reconnect, and an <c>Echo</c> invocation about every <c>interval</c> (jittered ±50 %, so a thousand clients do not
/// call in step). Each invocation is bounded by <see cref="InvocationBound"/>: one that does not complete in time hung.
/// One interrupted by the connection closing (the old generation closes it at the swap) is sent again once
/// <c>Reconnected</c> fired, as a client must: it counts as interrupted, and as failed only if it fails for another reason.
/// Records when each generation first answered it and when it reconnected (<see cref="Stopwatch"/> timestamps).
/// </summary>
public sealed class ChatClient : IAsyncDisposable
{
    public static readonly TimeSpan InvocationBound = TimeSpan.FromSeconds(5);
    private const int KeptFailures = 5;

    private readonly HubConnection _connection;
    private readonly TimeSpan _interval;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private readonly Dictionary<long, long> _firstAnsweredBy = [];
    private readonly List<long> _reconnectingAt = [];
    private readonly List<long> _reconnectedAt = [];
    private readonly List<string> _failures = [];
    private TaskCompletionSource _reconnected = NewSignal();
    private Task _run = Task.CompletedTask;
    private int _invocations;
    private int _interrupted;
    private int _failed;
    private int _hung;
    private int _reconnects;
    private volatile bool _closed;

    private ChatClient(Uri hub, TimeSpan interval)
    {
        _interval = interval;
        _connection = new HubConnectionBuilder()
            .WithUrl(hub, HttpTransportType.WebSockets)
            .WithAutomaticReconnect()
            .Build();
        _connection.Reconnecting += _ =>
        {
            var at = Stopwatch.GetTimestamp();
            lock (_gate)
            {
                _reconnectingAt.Add(at);
            }

            return Task.CompletedTask;
        };
        _connection.Reconnected += _ =>
        {
            var at = Stopwatch.GetTimestamp();
            lock (_gate)
            {
                _reconnectedAt.Add(at);
            }

            Interlocked.Increment(ref _reconnects);
            WakeWaiters();
            return Task.CompletedTask;
        };
        _connection.Closed += _ =>
        {
            // Automatic reconnect gave up (its retries are 0, 2, 10 and 30 s), or the client was disposed.
            _closed = true;
            WakeWaiters();
            return Task.CompletedTask;
        };
    }

    /// <summary>Invocations answered, interrupted by a closing connection (then sent again), failed otherwise, and hung.</summary>
    public int Invocations => Volatile.Read(ref _invocations);
    public int Interrupted => Volatile.Read(ref _interrupted);
    public int Failed => Volatile.Read(ref _failed);
    public int Hung => Volatile.Read(ref _hung);
    public int Reconnects => Volatile.Read(ref _reconnects);

    /// <summary>Connected, Reconnecting, …: where a client that is not answered stands.</summary>
    public HubConnectionState State => _connection.State;

    /// <summary>The connection closed for good while the bench still used it: automatic reconnect gave up.</summary>
    public bool Lost => _closed && !_stop.IsCancellationRequested;

    /// <summary>The first few failures and hangs, word for word.</summary>
    public IReadOnlyList<string> Failures
    {
        get
        {
            lock (_gate)
            {
                return [.. _failures];
            }
        }
    }

    /// <summary>Connects (negotiate, then the WebSocket) and starts invoking.</summary>
    public static async Task<ChatClient> ConnectAsync(Uri hub, TimeSpan interval, CancellationToken cancellationToken = default)
    {
        var client = new ChatClient(hub, interval);
        try
        {
            await client._connection.StartAsync(cancellationToken);
        }
        catch
        {
            await client._connection.DisposeAsync();
            client._stop.Dispose();
            throw;
        }

        client._run = Task.Run(client.InvokeAsync, CancellationToken.None);
        return client;
    }

    /// <summary>The <see cref="Stopwatch"/> timestamp of the first answer from <paramref name="generation"/> or a later one, or null.</summary>
    public long? FirstAnsweredFrom(long generation)
    {
        lock (_gate)
        {
            long? first = null;
            foreach (var (answeredBy, at) in _firstAnsweredBy)
            {
                if (answeredBy >= generation && (first is null || at < first))
                {
                    first = at;
                }
            }

            return first;
        }
    }

    /// <summary>The <see cref="Stopwatch"/> timestamp of the first <c>Reconnecting</c> (the server closed the connection) after <paramref name="timestamp"/>, or null.</summary>
    public long? FirstReconnectingAfter(long timestamp) => FirstAfter(_reconnectingAt, timestamp);

    /// <summary>The <see cref="Stopwatch"/> timestamp of the first <c>Reconnected</c> after <paramref name="timestamp"/>, or null.</summary>
    public long? FirstReconnectedAfter(long timestamp) => FirstAfter(_reconnectedAt, timestamp);

    private long? FirstAfter(List<long> timestamps, long timestamp)
    {
        lock (_gate)
        {
            return timestamps.Find(t => t > timestamp) is var at and > 0 ? at : null;
        }
    }

    private async Task InvokeAsync()
    {
        // Start at a random point of the interval: the clients' calls spread evenly from the first one.
        await Task.Delay(Jittered(_interval / 2), _stop.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        for (var n = 1; !_stop.IsCancellationRequested && !_closed; n++)
        {
            await SendUntilAnsweredAsync(string.Create(CultureInfo.InvariantCulture, $"message {n}"));
            await Task.Delay(Jittered(_interval), _stop.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private async Task SendUntilAnsweredAsync(string text)
    {
        var interrupted = false;
        while (!_stop.IsCancellationRequested && !_closed)
        {
            using var bound = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            bound.CancelAfter(InvocationBound);
            try
            {
                var answer = await _connection.InvokeAsync<string>("Echo", text, bound.Token);
                Answered(GenerationOf(answer));
                break;
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                break;
            }
            catch (OperationCanceledException) when (bound.IsCancellationRequested)
            {
                Interlocked.Increment(ref _hung);
                Fail(Fmt.F($"'{text}' got no answer within {InvocationBound.TotalSeconds:0} s"));
                break;
            }
            catch (Exception ex) when (_connection.State != HubConnectionState.Connected || IsConnectionClosed(ex))
            {
                interrupted = true;
                await WaitReconnectedAsync();
            }
            catch (Exception ex)
            {
                Interlocked.Increment(ref _failed);
                Fail(Fmt.F($"'{text}' failed: {ex.GetType().Name}: {ex.Message}"));
                break;
            }
        }

        if (interrupted)
        {
            Interlocked.Increment(ref _interrupted);
        }
    }

    /// <summary>Until <c>Reconnected</c> (or <c>Closed</c>) fires; at once when the connection is already back.</summary>
    private async Task WaitReconnectedAsync()
    {
        Task reconnected;
        lock (_gate)
        {
            reconnected = _reconnected.Task;
        }

        if (_connection.State != HubConnectionState.Connected && !_closed)
        {
            await reconnected.WaitAsync(_stop.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private void WakeWaiters()
    {
        TaskCompletionSource woken;
        lock (_gate)
        {
            (woken, _reconnected) = (_reconnected, NewSignal());
        }

        woken.TrySetResult();
    }

    private void Answered(long generation)
    {
        var at = Stopwatch.GetTimestamp();
        Interlocked.Increment(ref _invocations);
        lock (_gate)
        {
            _firstAnsweredBy.TryAdd(generation, at);
        }
    }

    private void Fail(string failure)
    {
        lock (_gate)
        {
            if (_failures.Count < KeptFailures)
            {
                _failures.Add(failure);
            }
        }
    }

    /// <summary>"gen N: text", the chat hub's answer.</summary>
    private static long GenerationOf(string answer) =>
        answer.StartsWith("gen ", StringComparison.Ordinal) && answer.IndexOf(':', StringComparison.Ordinal) is > 4 and var colon
            ? long.Parse(answer.AsSpan(4, colon - 4), CultureInfo.InvariantCulture)
            : throw new FormatException($"not a 'gen N: …' answer: {answer}");

    /// <summary>The connection went away under the invocation (the old generation closed it): it is sent again.</summary>
    private static bool IsConnectionClosed(Exception ex) =>
        ex is WebSocketException or IOException
        // The client cancels its outstanding invocations when the connection closes (not this client's own tokens: those
        // are caught before), and may have reconnected by the time the failure is looked at.
        or OperationCanceledException
        || ex.Message.Contains("connection being closed", StringComparison.OrdinalIgnoreCase)
        || ex.Message.Contains("connection was stopped", StringComparison.OrdinalIgnoreCase)
        // Sent while reconnecting, and reconnected again by the time the failure is looked at.
        || ex.Message.Contains("connection is not active", StringComparison.OrdinalIgnoreCase);

    private static TimeSpan Jittered(TimeSpan interval) => interval * (0.5 + Random.Shared.NextDouble());

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _run;
        await _connection.DisposeAsync();
        _stop.Dispose();
    }
}
