using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace PluginHost.Core.Routing;

/// <summary>Why the host ended a request early.</summary>
public enum RequestEnd
{
    None,
    /// <summary><c>apps[].requestTimeout</c> passed.</summary>
    TimedOut,
    /// <summary>Its generation retired and the drain timeout (or, for long-lived connections kept, their maximum age) passed.</summary>
    Aborted,
}

/// <summary>
/// One request inside an app generation. For the time the app runs it, <see cref="HttpContext.RequestAborted"/> is a token
/// of the host's that fires when the client goes away, when <c>requestTimeout</c> passes (never for a WebSocket or a
/// server-sent-events stream: those are long-lived by design) or when the host aborts it because its generation retired;
/// in that last case the connection itself is aborted after a short grace. Its age and path are what status shows of a
/// draining generation.
/// </summary>
public sealed class InFlightRequest : IDisposable
{
    private readonly HttpContext _context;
    private readonly CancellationToken _original;
    private readonly CancellationTokenSource _aborted = new();
    private readonly CancellationTokenRegistration _clientGone;
    private readonly TimeProvider _timeProvider;
    private readonly Lock _lock = new();
    private readonly long _deadline;
    private ITimer? _hardAbort;
    private int _end;
    private bool _disposed;

    private InFlightRequest(HttpContext context, string? path, TimeSpan timeout, TimeProvider timeProvider)
    {
        _context = context;
        _timeProvider = timeProvider;
        Method = context.Request.Method;
        Path = path;
        StartedAt = timeProvider.GetTimestamp();
        _original = context.RequestAborted;
        _clientGone = _original.UnsafeRegister(static source => ((CancellationTokenSource)source!).Cancel(), _aborted);
        context.RequestAborted = _aborted.Token;
        Timeout = timeout > TimeSpan.Zero && timeout != System.Threading.Timeout.InfiniteTimeSpan ? timeout : null;
        _deadline = Timeout is { } limit ? StartedAt + (long)(limit.TotalSeconds * timeProvider.TimestampFrequency) : long.MaxValue;
    }

    /// <summary><c>apps[].requestTimeout</c>; null for none. Checked by <see cref="InFlightRequests"/>' sweep, not a timer per request.</summary>
    public TimeSpan? Timeout { get; }

    internal TimeProvider TimeProvider => _timeProvider;

    public string Method { get; }

    /// <summary>The path as the host received it (with the mount).</summary>
    public string? Path { get; }

    public long StartedAt { get; }

    public TimeSpan Age => _timeProvider.GetElapsedTime(StartedAt);

    /// <summary>The connection went away under it: the client left, or the connection was aborted.</summary>
    public bool ConnectionGone => _original.IsCancellationRequested;

    /// <summary>Why the host ended it early, if it did (and not because the client went away).</summary>
    public RequestEnd EndedBy => _original.IsCancellationRequested ? RequestEnd.None : (RequestEnd)Volatile.Read(ref _end);

    /// <summary>A WebSocket (or other upgraded connection) or a server-sent-events stream: open for as long as the client stays.</summary>
    public bool IsLongLived => IsLongLivedResponse(_context);

    public static InFlightRequest Start(HttpContext context, string? path, TimeSpan timeout, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(timeProvider);
        return new InFlightRequest(context, path, timeout, timeProvider);
    }

    /// <summary>
    /// Ends the request because its generation is going away: RequestAborted fires now, and the connection is aborted
    /// after <paramref name="grace"/> if the app has not ended the request by then.
    /// </summary>
    public void Abort(TimeSpan grace)
    {
        lock (_lock)
        {
            if (_disposed || !End(RequestEnd.Aborted))
            {
                return;
            }

            _hardAbort = _timeProvider.CreateTimer(static state => ((InFlightRequest)state!).AbortConnection(), this, grace, System.Threading.Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Ends the request if its timeout has passed at <paramref name="now"/> (a timestamp of its time provider).</summary>
    internal void CheckTimeout(long now)
    {
        // Checked by the sweep, so the request path pays nothing for it. Under the lock: once the request has ended,
        // Kestrel may reuse its HttpContext, which IsLongLived reads.
        if (now >= _deadline && Volatile.Read(ref _end) == (int)RequestEnd.None)
        {
            lock (_lock)
            {
                if (!_disposed && !IsLongLived)
                {
                    End(RequestEnd.TimedOut);
                }
            }
        }
    }

    private bool End(RequestEnd reason)
    {
        if (Interlocked.CompareExchange(ref _end, (int)reason, (int)RequestEnd.None) != (int)RequestEnd.None)
        {
            return false;
        }

        _aborted.Cancel();
        return true;
    }

    private void AbortConnection()
    {
        // Under the lock: once the request has ended, Kestrel may reuse this HttpContext for the connection's next request.
        lock (_lock)
        {
            if (!_disposed)
            {
                _context.Abort();
            }
        }
    }

    internal static bool IsLongLivedResponse(HttpContext context) =>
        context.Response.StatusCode == StatusCodes.Status101SwitchingProtocols
        || context.Features.Get<IHttpExtendedConnectFeature>() is { IsExtendedConnect: true }
        || (context.Response.HasStarted && context.Response.ContentType?.StartsWith("text/event-stream", StringComparison.OrdinalIgnoreCase) == true);

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
        }

        _context.RequestAborted = _original;
        _clientGone.Dispose();
        _hardAbort?.Dispose();
        _aborted.Dispose();
    }
}
