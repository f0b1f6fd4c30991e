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
    private readonly CancellationTokenSource? _linked;

    private RequestDeadline(HttpContext context, TimeSpan timeout, TimeProvider timeProvider)
    {
        _context = context;
        _original = context.RequestAborted;
        if (timeout <= TimeSpan.Zero || timeout == Timeout.InfiniteTimeSpan)
        {
            return;
        }

        _timeout = new CancellationTokenSource(timeout, timeProvider);
        _linked = CancellationTokenSource.CreateLinkedTokenSource(_original, _timeout.Token);
        context.RequestAborted = _linked.Token;
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
        if (_linked is null)
        {
            return;
        }

        _context.RequestAborted = _original;
        _linked.Dispose();
        _timeout!.Dispose();
    }
}
