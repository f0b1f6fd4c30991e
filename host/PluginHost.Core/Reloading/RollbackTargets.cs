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
    public static bool IsStillTarget(HostConfig config, string version)
    {
        ArgumentNullException.ThrowIfNull(config);
        var store = ReleaseStore.For(config);
        if (!VersionName.IsValid(version) || store.IsBad(version))
        {
            return !VersionName.IsValid(version);
        }

        var lastFlip = store.History.ReadAll().LastOrDefault(e => e.Action is ReleaseActions.Promote or ReleaseActions.Rollback);
        return lastFlip is null || lastFlip.To != store.Production || store.FindRollbackTarget() == version;
    }
}
