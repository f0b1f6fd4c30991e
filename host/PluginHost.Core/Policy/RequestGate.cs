using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Microsoft.Net.Http.Headers;
using PluginHost.Abstractions;
using PluginHost.Core.Authentication;
using PluginHost.Core.Loading;

namespace PluginHost.Core.Policy;

/// <summary>
/// Runs before an app sees a request: authenticates with the app's scheme (401 + WWW-Authenticate when that fails, 429 +
/// Retry-After for a client past <c>auth.maxFailures</c>), hands the app the user name instead of the credentials, strips
/// Authorization unless <c>passAuthorization</c>, sets the app's <c>maxRequestBodySize</c>, and answers 503 + Retry-After when
/// the app already runs <c>maxConcurrentRequests</c> requests.
/// </summary>
public sealed partial class RequestGate(AppAuthenticationSchemes schemes, AuthFailureLimiter failures, AppConcurrencyLimits concurrency)
{
    private static readonly Task<bool> Refused = Task.FromResult(false);

    private static readonly Task<bool> Admitted = Task.FromResult(true);

    /// <summary>True when the request may go on to the app; otherwise the refusal has been written.</summary>
    /// <remarks>Completes synchronously, without an async state machine, for apps without <c>auth</c>.</remarks>
    public Task<bool> AdmitAsync(HttpContext context, AppInstance app)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(app);
        // Only the host says who the user is.
        context.Request.Headers.Remove(PluginHeaders.AuthenticatedUser);
        if (!concurrency.TryEnter(app.Config, out var lease))
        {
            Log.TooBusy(app.Logger, app.Name, app.Config.MaxConcurrentRequests ?? 0, context.Request.Method, context.Request.Path.Value);
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            context.Response.Headers.RetryAfter = "1";
            return Refused;
        }

        if (lease is not null)
        {
            // Released when the request is over, whatever the app did (Kestrel disposes it after the response).
            context.Response.RegisterForDispose(lease);
        }

        if (app.Policy.Authentication is { } auth)
        {
            return AuthenticateThenAdmitAsync(context, app, auth);
        }

        Admit(context, app);
        return Admitted;
    }

    private async Task<bool> AuthenticateThenAdmitAsync(HttpContext context, AppInstance app, AppAuthenticationFeature auth)
    {
        if (!await AuthenticateAsync(context, app, auth))
        {
            return false;
        }

        Admit(context, app);
        return true;
    }

    private static void Admit(HttpContext context, AppInstance app)
    {
        if (!app.Config.PassAuthorization)
        {
            var headers = context.Request.Headers;
            headers.Remove(HeaderNames.Authorization);
            headers.Remove(HeaderNames.ProxyAuthorization);
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodySize)
        {
            bodySize.MaxRequestBodySize = app.Config.MaxRequestBodySize;
        }
    }

    private async Task<bool> AuthenticateAsync(HttpContext context, AppInstance app, AppAuthenticationFeature auth)
    {
        var address = context.Connection.RemoteIpAddress;
        if (failures.Blocked(app.Name, address, auth.Config) is { } retryAfter)
        {
            var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
            Log.TooManyFailures(app.Logger, app.Name, address?.ToString(), auth.Config.MaxFailures, auth.Config.FailureWindow, seconds);
            context.Request.Headers.Remove(auth.Config.Scheme == BasicAuthenticationHandler.SchemeKind ? HeaderNames.Authorization : auth.Config.Header);
            context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
            context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return false;
        }

        var scheme = await schemes.EnsureAsync(app.Config);
        context.Features.Set(auth);
        try
        {
            var result = await context.AuthenticateAsync(scheme);
            if (!result.Succeeded)
            {
                // The app generation's logger: the event carries App, Version and Generation like the app's own.
                Log.Refused(app.Logger, app.Name, address?.ToString(), result.Failure?.Message ?? "no credentials");
                if (result.Failure is not null)
                {
                    // Wrong credentials count; a request without any (a browser's first try) does not.
                    failures.Failed(app.Name, address, auth.Config);
                }

                await context.ChallengeAsync(scheme);
                return false;
            }

            context.User = result.Principal;
            context.Request.Headers[PluginHeaders.AuthenticatedUser] = result.Principal.Identity?.Name;
            return true;
        }
        finally
        {
            context.Features.Set<AppAuthenticationFeature>(null);
            // The secret never reaches the app, whatever passAuthorization says.
            context.Request.Headers.Remove(auth.Config.Scheme == BasicAuthenticationHandler.SchemeKind ? HeaderNames.Authorization : auth.Config.Header);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 43, EventName = "AuthenticationRefused", Level = LogLevel.Warning,
            Message = "Request for {App} from {RemoteAddress} not authenticated: {Reason}; answered 401")]
        public static partial void Refused(ILogger logger, string app, string? remoteAddress, string reason);

        [LoggerMessage(EventId = 45, EventName = "AppConcurrencyLimitReached", Level = LogLevel.Warning,
            Message = "{App} already runs {MaxConcurrentRequests} requests (maxConcurrentRequests): {Method} {Path} answered 503")]
        public static partial void TooBusy(ILogger logger, string app, int maxConcurrentRequests, string method, string? path);

        [LoggerMessage(EventId = 44, EventName = "AuthenticationRateLimited", Level = LogLevel.Warning,
            Message = "Request for {App} from {RemoteAddress} refused with 429: more than {MaxFailures} failed authentications within {FailureWindow}; retry after {RetryAfterSeconds} s")]
        public static partial void TooManyFailures(ILogger logger, string app, string? remoteAddress, int maxFailures, TimeSpan failureWindow, int retryAfterSeconds);
    }
}
