using Microsoft.AspNetCore.Authentication;
using PluginHost.Core.Configuration;

namespace PluginHost.Core.Authentication;

/// <summary>
/// Options of an app's authentication scheme ("app:&lt;name&gt;"). The policy itself (header, realm, users) is
/// per generation, so it travels with the request in <see cref="AppAuthenticationFeature"/> rather than here.
/// </summary>
public sealed class AppAuthenticationOptions : AuthenticationSchemeOptions;

/// <summary>Set by the dispatcher for the request's app before it authenticates: that generation's auth policy.</summary>
public sealed record AppAuthenticationFeature(AuthConfig Config, UsersFile Users);
