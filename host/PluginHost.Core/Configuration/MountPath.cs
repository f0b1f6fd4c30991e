namespace PluginHost.Core.Configuration;

/// <summary>Normalises URL prefixes such as app mounts and the admin path: "/" or "/a/b", no trailing slash.</summary>
internal static class MountPath
{
    public const string Root = "/";

    /// <summary>Returns the normalised mount, or null with <paramref name="error"/> saying what is wrong.</summary>
    public static string? Normalise(string mount, out string? error)
    {
        ArgumentNullException.ThrowIfNull(mount);
        error = Check(mount);
        if (error is not null)
        {
            return null;
        }

        if (mount == Root)
        {
            return Root;
        }

        var trimmed = mount.EndsWith('/') ? mount[..^1] : mount;
        error = CheckSegments(trimmed, mount);
        return error is null ? trimmed : null;
    }

    /// <summary>True when <paramref name="path"/> is <paramref name="mount"/> itself or lies below it (case-insensitive, like PathString).</summary>
    public static bool Covers(string mount, string path) =>
        mount == Root
        || string.Equals(path, mount, StringComparison.OrdinalIgnoreCase)
        || path.StartsWith(mount + "/", StringComparison.OrdinalIgnoreCase);

    private static string? Check(string mount)
    {
        if (!mount.StartsWith('/'))
        {
            return $"'{mount}' must start with '/'";
        }

        var bad = mount.FirstOrDefault(c => c is '?' or '#' or '%' or '\\' || char.IsWhiteSpace(c) || char.IsControl(c));
        return bad == default ? null : $"'{mount}' must not contain '{bad}'; a mount is a plain path prefix";
    }

    private static string? CheckSegments(string trimmed, string original)
    {
        foreach (var segment in trimmed[1..].Split('/'))
        {
            if (segment.Length == 0)
            {
                return $"'{original}' has an empty segment ('//')";
            }

            if (segment is "." or "..")
            {
                return $"'{original}' must not contain '{segment}' segments";
            }
        }

        return null;
    }
}
