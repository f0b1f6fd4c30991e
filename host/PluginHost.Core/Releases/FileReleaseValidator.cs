using PluginHost.Core.Configuration;

namespace PluginHost.Core.Releases;

/// <summary>File-level release checks: the release folder exists and every configured app's assembly is in it.</summary>
public sealed class FileReleaseValidator : IReleaseValidator
{
    public Task<IReadOnlyList<string>> ValidateAsync(HostConfig config, string releasePath, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentException.ThrowIfNullOrEmpty(releasePath);

        var release = Path.GetFullPath(releasePath);
        if (!Directory.Exists(release))
        {
            return Task.FromResult<IReadOnlyList<string>>([$"release folder '{release}' does not exist"]);
        }

        var errors = new List<string>();
        foreach (var app in config.Apps)
        {
            if (CheckApp(app, release) is { } error)
            {
                errors.Add(error);
            }
        }

        return Task.FromResult<IReadOnlyList<string>>(errors);
    }

    private static string? CheckApp(AppConfig app, string release)
    {
        if (string.IsNullOrWhiteSpace(app.Assembly) || Path.IsPathRooted(app.Assembly))
        {
            return $"app '{app.Name}': assembly '{app.Assembly}' must be a path relative to the release folder (e.g. {app.Name}/{app.Name}.dll)";
        }

        var assembly = Path.GetFullPath(Path.Combine(release, app.Assembly));
        if (!assembly.StartsWith(release + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            return $"app '{app.Name}': assembly '{app.Assembly}' points outside the release folder";
        }

        if (!File.Exists(assembly))
        {
            return $"app '{app.Name}': {assembly} is missing (assembly '{app.Assembly}' is not in release '{Path.GetFileName(release)}'; was the app published?)";
        }

        return null;
    }
}
