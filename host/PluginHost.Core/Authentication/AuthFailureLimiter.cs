using System.Net;
using System.Threading.RateLimiting;
using PluginHost.Core.Configuration;

namespace PluginHost.Core.Authentication;

/// <summary>
/// Counts failed authentications per app and client address with ASP.NET Core's rate limiter (a
/// <see cref="PartitionedRateLimiter"/> of fixed windows: <c>auth.maxFailures</c> per <c>auth.failureWindow</c>). Past the
/// limit the client is refused with 429 and Retry-After until the window ends, before any hash is computed, so wrong
/// passwords or keys cannot burn the host's CPU. Idle partitions are dropped by the limiter itself.
/// </summary>
public sealed class AuthFailureLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<(string App, IPAddress? Address, AuthConfig Auth)> _limiter =
        PartitionedRateLimiter.Create<(string App, IPAddress? Address, AuthConfig Auth), (string, IPAddress?, int, TimeSpan)>(
            request => RateLimitPartition.GetFixedWindowLimiter(
                (request.App, request.Address, request.Auth.MaxFailures, request.Auth.FailureWindow),
                key => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = key.Item3,
                    Window = key.Item4,
                    QueueLimit = 0,
                    AutoReplenishment = true,
                }));

    /// <summary>Null when the client may try to authenticate; otherwise how long it must wait.</summary>
    public TimeSpan? Blocked(string app, IPAddress? address, AuthConfig auth)
    {
        // Zero permits: asks whether any are left without taking one.
        using var peek = _limiter.AttemptAcquire((app, address, auth), permitCount: 0);
        return peek.IsAcquired ? null : peek.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : auth.FailureWindow;
    }

    /// <summary>Counts one failed authentication of the client.</summary>
    public void Failed(string app, IPAddress? address, AuthConfig auth) => _limiter.AttemptAcquire((app, address, auth)).Dispose();

    public void Dispose() => _limiter.Dispose();
}
