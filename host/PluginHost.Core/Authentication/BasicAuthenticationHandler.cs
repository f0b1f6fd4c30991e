using System.Net.Http.Headers;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace PluginHost.Core.Authentication;

/// <summary><c>auth.scheme: basic</c>: HTTP Basic (RFC 7617) checked against the salted hashes of the users file.</summary>
public sealed class BasicAuthenticationHandler(IOptionsMonitor<AppAuthenticationOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AppAuthenticationOptions>(options, logger, encoder)
{
    public const string SchemeKind = "basic";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (Context.Features.Get<AppAuthenticationFeature>() is not { } app
            || !AuthenticationHeaderValue.TryParse(header, out var value)
            || !string.Equals(value.Scheme, "Basic", StringComparison.OrdinalIgnoreCase))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        if (Decode(value.Parameter) is not var (name, password))
        {
            return Task.FromResult(AuthenticateResult.Fail("malformed Basic credentials"));
        }

        return Task.FromResult(app.Users.VerifyUser(name, password)
            ? AuthenticateResult.Success(AppPrincipal.Ticket(name, Scheme.Name, SchemeKind))
            : AuthenticateResult.Fail("unknown user or wrong password"));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var realm = Context.Features.Get<AppAuthenticationFeature>()?.Config.Realm ?? "PluginHost";
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = $"Basic realm=\"{AppPrincipal.Quote(realm)}\", charset=\"UTF-8\"";
        return Task.CompletedTask;
    }

    private static (string Name, string Password)? Decode(string? parameter)
    {
        if (string.IsNullOrEmpty(parameter))
        {
            return null;
        }

        var bytes = new byte[parameter.Length];
        if (!Convert.TryFromBase64String(parameter, bytes, out var written))
        {
            return null;
        }

        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes, 0, written);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }

        var colon = text.IndexOf(':', StringComparison.Ordinal);
        return colon <= 0 ? null : (text[..colon], text[(colon + 1)..]);
    }
}
