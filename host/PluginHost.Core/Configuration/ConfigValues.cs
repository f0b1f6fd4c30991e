using YamlDotNet.RepresentationModel;

namespace PluginHost.Core.Configuration;

/// <summary>Readers for the PluginHost-specific values of config.yaml: mounts, URLs, networks, names and paths.</summary>
internal static class ConfigValues
{
    public static readonly string[] LogLevels = ["Verbose", "Debug", "Information", "Warning", "Error", "Fatal"];
    public static readonly string[] AuthSchemes = ["apiKey", "basic"];

    public static bool Mount(YamlNode node, string key, ConfigErrors errors, out string value)
    {
        value = "";
        if (!YamlValues.NonEmptyText(node, key, errors, out var text))
        {
            return false;
        }

        var normalised = MountPath.Normalise(text, out var error);
        if (normalised is null)
        {
            errors.Add(node, key, error!);
            return false;
        }

        value = normalised;
        return true;
    }

    /// <summary>Listen URLs: a list, or one string with URLs separated by ';' (like ASPNETCORE_URLS).</summary>
    public static bool ListenUrls(YamlNode node, string key, ConfigErrors errors, out IReadOnlyList<string> value)
    {
        if (node is YamlScalarNode { Value: { } text })
        {
            var urls = text.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var bad = urls.Select(ListenUrl.Check).OfType<string>().ToList();
            bad.ForEach(message => errors.Add(node, key, message));
            value = urls;
            return bad.Count == 0;
        }

        return YamlValues.ListOf(OneListenUrl)(node, key, errors, out value);
    }

    public static bool NetworkRule(YamlNode node, string key, ConfigErrors errors, out string value)
    {
        if (!YamlValues.NonEmptyText(node, key, errors, out value))
        {
            return false;
        }

        if (Configuration.NetworkRule.IsValid(value))
        {
            return true;
        }

        errors.Add(node, key, $"'{value}' is not an IP address or CIDR network (e.g. 10.0.0.5, 127.0.0.0/8, ::1)");
        return false;
    }

    /// <summary>A single folder or file name: no separators, no "..".</summary>
    public static bool PlainName(YamlNode node, string key, ConfigErrors errors, out string value)
    {
        if (!YamlValues.NonEmptyText(node, key, errors, out value))
        {
            return false;
        }

        if (value.IndexOfAny(['/', '\\']) < 0 && value is not ("." or ".."))
        {
            return true;
        }

        errors.Add(node, key, $"'{value}' must be a plain name inside releases.root, without '/' or '..'");
        return false;
    }

    /// <summary>
    /// An app's name: it names the app's state folder, its metrics series and its log events, so it is a plain
    /// name (letters, digits, '.', '_', '-'; starting with a letter or digit).
    /// </summary>
    public static bool AppName(YamlNode node, string key, ConfigErrors errors, out string value)
    {
        if (!YamlValues.NonEmptyText(node, key, errors, out value))
        {
            return false;
        }

        if (value.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-') && char.IsAsciiLetterOrDigit(value[0]))
        {
            return true;
        }

        errors.Add(node, key, $"'{value}' is not a valid app name: use letters, digits, '.', '_' and '-', starting with a letter or digit");
        return false;
    }

    /// <summary>A path inside a release folder: relative, and never climbing out with "..".</summary>
    public static bool ReleaseRelativePath(YamlNode node, string key, ConfigErrors errors, out string value)
    {
        if (!YamlValues.NonEmptyText(node, key, errors, out value))
        {
            return false;
        }

        if (IsRooted(value))
        {
            errors.Add(node, key, $"'{value}' must be relative to the release folder, not an absolute path");
            return false;
        }

        if (value.Split('/', '\\').Contains(".."))
        {
            errors.Add(node, key, $"'{value}' must not contain '..'; it has to stay inside the release folder");
            return false;
        }

        return true;
    }

    /// <summary>A request path such as "/version": must start with '/'.</summary>
    public static bool RequestPath(YamlNode node, string key, ConfigErrors errors, out string value)
    {
        if (!YamlValues.NonEmptyText(node, key, errors, out value))
        {
            return false;
        }

        if (value.StartsWith('/'))
        {
            return true;
        }

        errors.Add(node, key, $"'{value}' must start with '/' (it is relative to the app's mount)");
        return false;
    }

    /// <summary>A path resolved against <paramref name="folder"/> (the config file's folder).</summary>
    public static ValueReader<string> ResolvedPath(string folder) =>
        (YamlNode node, string key, ConfigErrors errors, out string value) =>
        {
            if (!YamlValues.NonEmptyText(node, key, errors, out value))
            {
                return false;
            }

            value = Path.GetFullPath(value, folder);
            return true;
        };

    /// <summary>A project file (.csproj, .fsproj or .vbproj) resolved against <paramref name="folder"/> (the config file's folder).</summary>
    public static ValueReader<string> ProjectFile(string folder) =>
        (YamlNode node, string key, ConfigErrors errors, out string value) =>
        {
            if (!YamlValues.NonEmptyText(node, key, errors, out var text))
            {
                value = "";
                return false;
            }

            value = Path.GetFullPath(text, folder);
            if (Path.GetExtension(value) is ".csproj" or ".fsproj" or ".vbproj")
            {
                return true;
            }

            errors.Add(node, key, $"'{text}' is not a project file: name the app's .csproj, relative to this file (e.g. ../my-plugin/src/MyPlugin/MyPlugin.csproj)");
            return false;
        };

    /// <summary>One of <paramref name="allowed"/>, matched ignoring case and returned in its canonical spelling.</summary>
    public static ValueReader<string> OneOf(IReadOnlyList<string> allowed) =>
        (YamlNode node, string key, ConfigErrors errors, out string value) =>
        {
            if (!YamlValues.NonEmptyText(node, key, errors, out var text))
            {
                value = "";
                return false;
            }

            value = allowed.FirstOrDefault(candidate => string.Equals(candidate, text, StringComparison.OrdinalIgnoreCase)) ?? "";
            if (value.Length > 0)
            {
                return true;
            }

            errors.Add(node, key, $"'{text}' is not supported; use one of: {string.Join(", ", allowed)}");
            return false;
        };

    private static bool OneListenUrl(YamlNode node, string key, ConfigErrors errors, out string value)
    {
        if (!YamlValues.NonEmptyText(node, key, errors, out value))
        {
            return false;
        }

        var error = ListenUrl.Check(value);
        if (error is not null)
        {
            errors.Add(node, key, error);
        }

        return error is null;
    }

    private static bool IsRooted(string path) =>
        Path.IsPathRooted(path) || path.StartsWith('/') || path.StartsWith('\\') || (path.Length >= 2 && path[1] == ':');
}
