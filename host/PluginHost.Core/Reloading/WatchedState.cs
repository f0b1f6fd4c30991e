using PluginHost.Core.Configuration;
using PluginHost.Core.Releases;

namespace PluginHost.Core.Reloading;

/// <summary>
/// What the reload watcher compares: where the production link points (read with readlink, never by mtime),
/// the trigger file's modification time, and the config file's modification time and size.
/// </summary>
public sealed record WatchedState(string? LinkTarget, long TriggerStamp, long ConfigStamp)
{
    public static WatchedState Read(HostConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new WatchedState(ReleaseResolver.ReadLink(config.ProductionLink), Stamp(config.Reload.Trigger), Stamp(config.SourcePath));
    }

    /// <summary>Names what changed from <paramref name="before"/>, or null when nothing did.</summary>
    /// <param name="includeConfig">Whether a config file change counts (reload.watchConfig).</param>
    public string? DescribeChangeFrom(WatchedState before, bool includeConfig = true)
    {
        ArgumentNullException.ThrowIfNull(before);
        if (LinkTarget != before.LinkTarget)
        {
            return $"production symlink now points at {LinkTarget ?? "nothing"}";
        }

        if (TriggerStamp != before.TriggerStamp)
        {
            return "reload trigger touched";
        }

        return includeConfig && ConfigStamp != before.ConfigStamp ? "config file changed" : null;
    }

    /// <summary>
    /// Whether the change from <paramref name="before"/> needs no settling: the production link was renamed to a new
    /// target (atomic: readlink gives the old or the new target) and config.yaml, which may be written in parts, did not
    /// change. A trigger touched with it changes nothing a reload reads.
    /// </summary>
    /// <param name="includeConfig">Whether a config file change counts (reload.watchConfig).</param>
    public bool IsCompleteChangeFrom(WatchedState before, bool includeConfig = true)
    {
        ArgumentNullException.ThrowIfNull(before);
        return LinkTarget != before.LinkTarget && (!includeConfig || ConfigStamp == before.ConfigStamp);
    }

    private static long Stamp(string path)
    {
        var file = new FileInfo(path);
        return file.Exists ? file.LastWriteTimeUtc.Ticks ^ file.Length : 0;
    }
}
