using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;

namespace PluginHost.Core.Authentication;

/// <summary>The principal an app's request carries after the host authenticated it: a name, never the secret.</summary>
internal static class AppPrincipal
{
    public static AuthenticationTicket Ticket(string name, string schemeName, string kind)
    {
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, name), new Claim("pluginhost:auth", kind)], schemeName);
        return new AuthenticationTicket(new ClaimsPrincipal(identity), schemeName);
    }

    /// <summary>Makes a configured text safe inside a quoted header parameter.</summary>
    public static string Quote(string text) => text.Replace("\\", "", StringComparison.Ordinal).Replace("\"", "", StringComparison.Ordinal);
}
