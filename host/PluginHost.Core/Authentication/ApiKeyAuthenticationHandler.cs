using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace PluginHost.Core.Authentication;

/// <summary><c>auth.scheme: apiKey</c>: the key in <c>auth.header</c> must match one of the named key hashes of the users file.</summary>
public sealed class ApiKeyAuthenticationHandler(IOptionsMonitor<AppAuthenticationOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AppAuthenticationOptions>(options, logger, encoder)
{
    public const string SchemeKind = "apiKey";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (Context.Features.Get<AppAuthenticationFeature>() is not { } app
            || !Request.Headers.TryGetValue(app.Config.Header, out var values)
            || string.IsNullOrEmpty(values.ToString()))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        if (values.Count != 1)
        {
            return Task.FromResult(AuthenticateResult.Fail($"more than one {app.Config.Header} header"));
        }

        var owner = app.Users.FindKeyOwner(values.ToString());
        return Task.FromResult(owner is null
            ? AuthenticateResult.Fail("unknown API key")
            : AuthenticateResult.Success(AppPrincipal.Ticket(owner, Scheme.Name, SchemeKind)));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var header = Context.Features.Get<AppAuthenticationFeature>()?.Config.Header ?? "X-Api-Key";
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = $"ApiKey header=\"{AppPrincipal.Quote(header)}\"";
        return Task.CompletedTask;
    }
}
