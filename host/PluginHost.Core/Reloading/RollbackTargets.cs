using PluginHost.Core.Configuration;
using PluginHost.Core.Releases;

namespace PluginHost.Core.Reloading;

/// <summary>Asks the release history whether a release is still where 'rollback' would go (for the warm standby).</summary>
public static class RollbackTargets
{
    /// <summary>
    /// False when the release is marked bad, or when the history knows how production got where it is (its last flip leads
    /// there) and names another rollback target. A link flipped by hand is unknown to the history: then the release the
    /// host served before stays the target.
    /// </summary>
    /// <param name="production">
    /// The version the production link led to, read by the caller before this reads the history. A flip writes the history
    /// first and moves the link second, so a history read after the link can be newer than it, never older: a flip in
    /// between shows as a last flip that does not lead to <paramref name="production"/> yet, and the standby stays. Reading
    /// the link again here could see the new link with a history read before it, and let go of the standby the flip's own
    /// reload is about to swap in.
    /// </param>
    public static bool IsStillTarget(HostConfig config, string version, string? production)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (!VersionName.IsValid(version))
        {
            return true;
        }

        var store = ReleaseStore.For(config);
        var history = store.History.ReadAll();
        if (ReleaseStore.IsBad(history, version))
        {
            return false;
        }

        var lastFlip = history.LastOrDefault(e => e.Action is ReleaseActions.Promote or ReleaseActions.Rollback);
        return lastFlip is null || lastFlip.To != production || store.FindRollbackTarget(history, production) == version;
    }
}
