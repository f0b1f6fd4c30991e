using System.Collections.Concurrent;
using System.Threading.RateLimiting;
using PluginHost.Core.Configuration;

namespace PluginHost.Core.Policy;

/// <summary>
/// <c>apps[].maxConcurrentRequests</c>: one <see cref="ConcurrencyLimiter"/> (ASP.NET Core's rate limiting primitives) per
/// app, shared by all its generations, without a queue: a request past the limit is answered 503 at once, so a slow app
/// cannot tie up every connection while the other apps keep answering. A new limit in config.yaml gets a new limiter;
/// requests still running release into the one they took.
/// </summary>
public sealed class AppConcurrencyLimits : IDisposable
{
    private readonly ConcurrentDictionary<(string App, int Limit), ConcurrencyLimiter> _limiters = new();

    /// <summary>
    /// False when <paramref name="app"/> is at its limit. Otherwise <paramref name="lease"/> is the permit to hold while
    /// the request runs (null for an app without a limit).
    /// </summary>
    public bool TryEnter(AppConfig app, out RateLimitLease? lease)
    {
        ArgumentNullException.ThrowIfNull(app);
        lease = null;
        if (app.MaxConcurrentRequests is not { } limit)
        {
            return true;
        }

        var limiter = _limiters.GetOrAdd((app.Name, limit), static key => new ConcurrencyLimiter(new ConcurrencyLimiterOptions
        {
            PermitLimit = key.Limit,
            QueueLimit = 0,
        }));
        var attempt = limiter.AttemptAcquire();
        if (attempt.IsAcquired)
        {
            lease = attempt;
            return true;
        }

        attempt.Dispose();
        return false;
    }

    public void Dispose()
    {
        foreach (var limiter in _limiters.Values)
        {
            limiter.Dispose();
        }
    }
}
