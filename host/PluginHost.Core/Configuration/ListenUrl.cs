namespace PluginHost.Core.Configuration;

/// <summary>Checks Kestrel listen URLs: absolute http/https with a host and port, no path.</summary>
public static class ListenUrl
{
    /// <summary>True for an https:// URL (any case).</summary>
    public static bool IsHttps(string url) => url.StartsWith("https://", StringComparison.OrdinalIgnoreCase);

    /// <summary>Returns null when <paramref name="url"/> is usable, otherwise what is wrong.</summary>
    public static string? Check(string url)
    {
        ArgumentNullException.ThrowIfNull(url);
        // Kestrel's wildcard hosts are not valid URI hosts; check the rest of the URL with a stand-in.
        var candidate = url.Replace("://*", "://wildcard", StringComparison.Ordinal)
                           .Replace("://+", "://wildcard", StringComparison.Ordinal);
        if (!Uri.TryCreate(candidate, UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            return $"'{url}' is not an absolute http:// or https:// URL (e.g. http://127.0.0.1:8080)";
        }

        if (uri.AbsolutePath != "/" || uri.Query.Length > 0 || uri.Fragment.Length > 0)
        {
            return $"'{url}' must not have a path, query or fragment; Kestrel listens on scheme://host:port only";
        }

        return null;
    }
}
