using System.Globalization;
using Microsoft.AspNetCore.Http;
using PluginHost.Core.Configuration;

namespace PluginHost.Core.Admin;

/// <summary>
/// <c>admin.urls</c>: when set, the admin surface answers only on connections accepted on those ports, and the
/// app ports never serve it. Without it, the admin surface shares the app ports under <c>admin.path</c>.
/// </summary>
public sealed class AdminPorts
{
    private readonly HashSet<int> _ports;

    public AdminPorts(AdminConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        _ports = [.. config.Urls.Select(PortOf)];
    }

    /// <summary>True when the admin surface has ports of its own.</summary>
    public bool Separate => _ports.Count > 0;

    public bool IsAdminConnection(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return _ports.Contains(context.Connection.LocalPort);
    }

    /// <summary>The port of a Kestrel listen URL (wildcard hosts allowed); the scheme's default when none is written.</summary>
    public static int PortOf(string url)
    {
        ArgumentException.ThrowIfNullOrEmpty(url);
        var candidate = url.Replace("://*", "://wildcard", StringComparison.Ordinal).Replace("://+", "://wildcard", StringComparison.Ordinal);
        var uri = new Uri(candidate, UriKind.Absolute);
        if (uri.Port == 0)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"admin URL '{url}' needs a fixed port, not 0"), nameof(url));
        }

        return uri.Port;
    }
}
