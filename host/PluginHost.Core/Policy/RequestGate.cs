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
/// Runs before an app sees a request: authenticates with the app's scheme (401 + WWW-Authenticate when that fails),
/// hands the app the user name instead of the credentials, strips Authorization unless <c>passAuthorization</c>, and
/// sets the app's <c>maxRequestBodySize</c>.
/// </summary>
public sealed partial class RequestGate(AppAuthenticationSchemes schemes)
{
    private static readonly Task<bool> Admitted = Task.FromResult(true);

    /// <summary>True when the request may go on to the app; otherwise the refusal has been written.</summary>
    /// <remarks>Completes synchronously, without an async state machine, for apps without <c>auth</c>.</remarks>
    public Task<bool> AdmitAsync(HttpContext context, AppInstance app)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(app);
        // Only the host says who the user is.
        context.Request.Headers.Remove(PluginHeaders.AuthenticatedUser);
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
        var scheme = await schemes.EnsureAsync(app.Config);
        context.Features.Set(auth);
        try
        {
            var result = await context.AuthenticateAsync(scheme);
            if (!result.Succeeded)
            {
                // The app generation's logger: the event carries App, Version and Generation like the app's own.
                Log.Refused(app.Logger, app.Name, context.Connection.RemoteIpAddress?.ToString(), result.Failure?.Message ?? "no credentials");
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
    }
}
