namespace PluginHost.Cli;

/// <summary>A published folder (apps[].from) that cannot be copied into a release; the message names the path.</summary>
internal sealed class PublishedFolderException(string message) : Exception(message);

/// <summary>
/// Copies an already-published app folder (apps[].from) into a release. A release must stand on its own: a symlink in
/// the folder is kept only when it resolves inside the folder (re-created as a relative link, so it points into the
/// copy), and one that leads out of it, or nowhere, refuses the whole folder.
/// </summary>
internal static class PublishedFolderCopy
{
    /// <summary>Checks <paramref name="folder"/> as <see cref="CopyTo"/> would, writing nothing.</summary>
    /// <param name="releasesRoot">The release store's root: a folder holding it cannot be copied into it.</param>
    public static void Check(string folder, string releasesRoot) => Walk(folder, releasesRoot, target: null);

    /// <summary>Copies <paramref name="folder"/> to <paramref name="target"/> (created), checking every entry on the way.</summary>
    public static void CopyTo(string folder, string target, string releasesRoot) => Walk(folder, releasesRoot, target);

    private static void Walk(string folder, string releasesRoot, string? target)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        ArgumentException.ThrowIfNullOrEmpty(releasesRoot);
        if (File.Exists(folder))
        {
            throw new PublishedFolderException($"{folder} is a file; name the folder that 'dotnet publish -o' wrote (the one holding the app's dll)");
        }

        if (!Directory.Exists(folder))
        {
            throw new PublishedFolderException($"folder {folder} does not exist; publish the app there first (dotnet publish -o), or fix the path (relative to config.yaml)");
        }

        var root = RealPath(folder);
        var releases = RealPath(releasesRoot);
        if (Core.StaticFiles.RealPath.IsInside(releases, root))
        {
            throw new PublishedFolderException($"{folder} holds the releases root {releasesRoot}; name the app's own published folder");
        }

        CopyFolder(root, root, target);
    }

    private static void CopyFolder(string root, string source, string? target)
    {
        if (target is not null)
        {
            Directory.CreateDirectory(target);
        }

        foreach (var entry in new DirectoryInfo(source).EnumerateFileSystemInfos())
        {
            var destination = target is null ? null : Path.Combine(target, entry.Name);
            if (entry.LinkTarget is not null)
            {
                CopyLink(root, entry, destination);
            }
            else if (entry is DirectoryInfo directory)
            {
                CopyFolder(root, directory.FullName, destination);
            }
            else if (destination is not null)
            {
                File.Copy(entry.FullName, destination);
            }
        }
    }

    /// <summary>A link stays a link, re-created relative to its own folder so that it points into the copy.</summary>
    private static void CopyLink(string root, FileSystemInfo link, string? destination)
    {
        var resolved = RealPath(link.FullName);
        if (!Core.StaticFiles.RealPath.IsInside(resolved, root))
        {
            throw new PublishedFolderException($"{link.FullName} is a symlink to {resolved}, outside {root}; a release must hold its own files: copy them in, or publish without the link");
        }

        if (!File.Exists(resolved) && !Directory.Exists(resolved))
        {
            throw new PublishedFolderException($"{link.FullName} is a symlink to {link.LinkTarget}, which does not exist; remove it or publish again");
        }

        if (destination is null)
        {
            return;
        }

        // The link's own folder is a real folder under root (links to folders are never walked into), so the relative
        // path from it to the resolved target is the same in the copy.
        var relative = Path.GetRelativePath(Path.GetDirectoryName(link.FullName)!, resolved);
        if (Directory.Exists(resolved))
        {
            Directory.CreateSymbolicLink(destination, relative);
        }
        else
        {
            File.CreateSymbolicLink(destination, relative);
        }
    }

    /// <summary>The physical path of <paramref name="path"/> (see <see cref="Core.StaticFiles.RealPath"/>); a loop of links is refused.</summary>
    internal static string RealPath(string path) =>
        Core.StaticFiles.RealPath.Resolve(path) ?? throw new PublishedFolderException($"{path} goes through symlinks that loop or nest too deep");
}
