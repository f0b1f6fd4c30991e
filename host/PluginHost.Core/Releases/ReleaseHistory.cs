namespace PluginHost.Core.Releases;

/// <summary>A version folder under the releases root.</summary>
/// <param name="CreatedAt">When the folder was written (its modification time).</param>
public sealed record ReleaseEntry(string Version, DateTimeOffset CreatedAt, bool IsProduction);

/// <summary>What the releases root shows: the version folders, the one production points at, and the tail of <c>history.log</c>.</summary>
/// <param name="PromotedAt">When the production link was last replaced (its own modification time), when known.</param>
/// <param name="LogTail">Last lines of <c>history.log</c> (written by the CLI's publish/promote/rollback), oldest first; empty when absent.</param>
public sealed record ReleaseOverview(IReadOnlyList<ReleaseEntry> Releases, string? Production, DateTimeOffset? PromotedAt, IReadOnlyList<string> LogTail);

/// <summary>Reads the releases root for the status page. Never throws for a missing or unreadable folder: the page shows what it can.</summary>
public static class ReleaseHistory
{
    public const string LogFileName = "history.log";

    public static ReleaseOverview Read(string root, string productionName, int logLines = 20)
    {
        ArgumentNullException.ThrowIfNull(root);
        var link = Path.Combine(root, productionName);
        var target = ReleaseResolver.ReadLink(link);
        var production = target is null ? null : Path.GetFileName(target.TrimEnd('/'));
        var releases = new List<ReleaseEntry>();
        DateTimeOffset? promotedAt = null;
        try
        {
            foreach (var dir in new DirectoryInfo(root).EnumerateDirectories())
            {
                if (dir.LinkTarget is not null || dir.Name.StartsWith('.'))
                {
                    if (dir.Name == productionName)
                    {
                        promotedAt = dir.LastWriteTimeUtc;
                    }

                    continue;
                }

                releases.Add(new ReleaseEntry(dir.Name, dir.LastWriteTimeUtc, dir.Name == production));
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }

        releases.Sort((a, b) => b.CreatedAt.CompareTo(a.CreatedAt));
        return new ReleaseOverview(releases, production, promotedAt, ReadTail(Path.Combine(root, LogFileName), logLines));
    }

    private static IReadOnlyList<string> ReadTail(string path, int lines)
    {
        try
        {
            if (!File.Exists(path))
            {
                return [];
            }

            var queue = new Queue<string>(lines);
            foreach (var line in File.ReadLines(path))
            {
                if (queue.Count == lines)
                {
                    queue.Dequeue();
                }

                queue.Enqueue(line);
            }

            return [.. queue];
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }
}
