namespace PluginHost.Core.StaticFiles;

/// <summary>
/// Resolves every symbolic link along a path, like realpath(3): the path the kernel would really open. ".." in a link's
/// target applies to where the link led, not to its spelling; a missing last part is left as it is.
/// </summary>
public static class RealPath
{
    private const int MaxLinks = 40;

    /// <summary>The path with every link resolved, or null when links loop or nest too deep.</summary>
    public static string? Resolve(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = Path.GetFullPath(path);
        var pending = new Stack<string>(Parts(full).Reverse());
        var current = Path.GetPathRoot(full)!;
        var links = 0;
        while (pending.TryPop(out var part))
        {
            if (part == ".")
            {
                continue;
            }

            if (part == "..")
            {
                current = Path.GetDirectoryName(current) ?? current;
                continue;
            }

            var next = Path.Combine(current, part);
            var target = new FileInfo(next).LinkTarget;
            if (target is null)
            {
                current = next;
                continue;
            }

            if (++links > MaxLinks)
            {
                return null;
            }

            // Go on from the link's target (relative to the link's folder, which is already real), then what was left.
            foreach (var targetPart in Parts(target).Reverse())
            {
                pending.Push(targetPart);
            }

            if (Path.IsPathRooted(target))
            {
                current = Path.GetPathRoot(target)!;
            }
        }

        return current;
    }

    /// <summary>True when <paramref name="path"/> is <paramref name="folder"/> itself or lies below it.</summary>
    public static bool IsInside(string path, string folder) =>
        path == folder || path.StartsWith(Path.EndsInDirectorySeparator(folder) ? folder : folder + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    private static IEnumerable<string> Parts(string path) =>
        path.Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries);
}
