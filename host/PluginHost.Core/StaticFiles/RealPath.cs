namespace PluginHost.Core.StaticFiles;

/// <summary>Resolves every symbolic link along a path, like realpath(3): the path the kernel would really open.</summary>
internal static class RealPath
{
    private const int MaxLinks = 40;

    /// <summary>The path with every link resolved, or null when links loop or nest too deep.</summary>
    public static string? Resolve(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = Path.GetFullPath(path);
        var root = Path.GetPathRoot(full)!;
        var pending = new Queue<string>(Segments(full, root));
        var current = root;
        var links = 0;
        while (pending.TryDequeue(out var segment))
        {
            var next = Path.Combine(current, segment);
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

            // Start again from the link's target (relative to the link's folder, which is already real),
            // followed by what was left of the path.
            var resolved = Path.GetFullPath(target, current);
            pending = new Queue<string>(Segments(resolved, Path.GetPathRoot(resolved)!).Concat(pending));
            current = Path.GetPathRoot(resolved)!;
        }

        return current;
    }

    /// <summary>True when <paramref name="path"/> is <paramref name="folder"/> itself or lies below it.</summary>
    public static bool IsInside(string path, string folder) =>
        path == folder || path.StartsWith(Path.EndsInDirectorySeparator(folder) ? folder : folder + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    private static IEnumerable<string> Segments(string full, string root) =>
        full[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries);
}
