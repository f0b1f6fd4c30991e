using Microsoft.AspNetCore.Http;

namespace PluginHost.Core.Policy;

/// <summary>
/// <c>requestTimeout</c>: for the time the app runs, <see cref="HttpContext.RequestAborted"/> is also cancelled when
/// the timeout passes. The app is expected to observe it; the dispatcher answers 503 if the response has not started.
/// </summary>
public sealed class RequestDeadline : IDisposable
{
    private readonly HttpContext _context;
    private readonly CancellationToken _original;
    private readonly CancellationTokenSource? _timeout;
    private readonly CancellationTokenRegistration _clientGone;

    private RequestDeadline(HttpContext context, TimeSpan timeout, TimeProvider timeProvider)
    {
        _context = context;
        _original = context.RequestAborted;
        if (timeout <= TimeSpan.Zero || timeout == Timeout.InfiniteTimeSpan)
        {
            return;
        }

        // One source per request: the timeout's, also cancelled when the client goes away (cheaper than a linked pair).
        _timeout = new CancellationTokenSource(timeout, timeProvider);
        _clientGone = _original.UnsafeRegister(static source => ((CancellationTokenSource)source!).Cancel(), _timeout);
        context.RequestAborted = _timeout.Token;
    }

    /// <summary>True when the timeout fired (and not because the client went away).</summary>
    public bool Expired => _timeout is { IsCancellationRequested: true } && !_original.IsCancellationRequested;

    public static RequestDeadline Start(HttpContext context, TimeSpan timeout, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(timeProvider);
        return new RequestDeadline(context, timeout, timeProvider);
    }

    public void Dispose()
    {
        if (_timeout is null)
        {
            return;
        }

        _context.RequestAborted = _original;
        _clientGone.Dispose();
        _timeout.Dispose();
    }
}
