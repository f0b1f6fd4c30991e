using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace PluginHost.Core.Authentication;

/// <summary>
/// The host's scheme provider: an app's scheme is never a default. ASP.NET Core otherwise makes a lone scheme the
/// default, and the authentication middleware that WebApplication adds would run it for every request — before the
/// dispatcher knows the app — and cache its empty result for the request. Each app's scheme runs only for its mount.
/// </summary>
public sealed class AppOnlySchemeProvider(IOptions<AuthenticationOptions> options) : AuthenticationSchemeProvider(options)
{
    public override Task<AuthenticationScheme?> GetDefaultAuthenticateSchemeAsync() => Task.FromResult<AuthenticationScheme?>(null);

    public override Task<AuthenticationScheme?> GetDefaultChallengeSchemeAsync() => Task.FromResult<AuthenticationScheme?>(null);

    public override Task<AuthenticationScheme?> GetDefaultForbidSchemeAsync() => Task.FromResult<AuthenticationScheme?>(null);

    public override Task<AuthenticationScheme?> GetDefaultSignInSchemeAsync() => Task.FromResult<AuthenticationScheme?>(null);

    public override Task<AuthenticationScheme?> GetDefaultSignOutSchemeAsync() => Task.FromResult<AuthenticationScheme?>(null);
}
