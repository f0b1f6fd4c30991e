namespace PluginHost.Core.Releases;

/// <summary>A release folder that a load will use: resolved once, so one generation never mixes two targets.</summary>
/// <param name="Version">The version folder's name.</param>
/// <param name="Path">The version folder's real path (symlinks resolved).</param>
public sealed record ResolvedRelease(string Version, string Path);

/// <summary>Resolves the production symlink to the version folder it points at.</summary>
public static class ReleaseResolver
{
    public static ResolvedRelease Resolve(string productionLink)
    {
        ArgumentException.ThrowIfNullOrEmpty(productionLink);
        var link = new DirectoryInfo(productionLink);
        if (link.LinkTarget is null && !link.Exists)
        {
            throw new ReleaseException(productionLink,
                "no production release: create it with 'ln -s <version> " + productionLink + "' or 'pluginhost promote <version>'");
        }

        var target = link.LinkTarget is null ? link : link.ResolveLinkTarget(returnFinalTarget: true) as DirectoryInfo;
        if (target is null || !target.Exists)
        {
            throw new ReleaseException(productionLink,
                $"the symlink points at '{link.LinkTarget}', which does not exist (dangling symlink)");
        }

        if (!target.EnumerateFileSystemInfos().Any())
        {
            throw new ReleaseException(target.FullName, "the release folder is empty") { Version = target.Name };
        }

        return new ResolvedRelease(target.Name, target.FullName);
    }

    /// <summary>Reads what the link points at, without touching the target: cheap enough to poll.</summary>
    public static string? ReadLink(string productionLink)
    {
        try
        {
            var info = new FileInfo(productionLink);
            return info.LinkTarget ?? (Directory.Exists(productionLink) ? Path.GetFullPath(productionLink) : null);
        }
        catch (IOException)
        {
            return null;
        }
    }
}

/// <summary>The production release cannot be used; names the path and the cause.</summary>
public sealed class ReleaseException(string path, string cause) : Exception($"{path}: {cause}")
{
    public string PathName { get; } = path;
    public string Cause { get; } = cause;

    /// <summary>The version folder at fault, when there is one (not for a missing or dangling link).</summary>
    public string? Version { get; init; }
}
