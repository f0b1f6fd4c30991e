using Microsoft.Extensions.Logging;
using PluginHost.Core.Configuration;
using PluginHost.Core.Releases;

namespace PluginHost.Core.Reloading;

/// <summary>
/// What the running host writes into the release history: a bad mark for a release of the root that failed to load,
/// and the mark taken back when that release later loads after all (the fault was elsewhere, e.g. in config.yaml).
/// A production link leading outside the releases root is served with a warning, and never marked.
/// </summary>
public sealed partial class ReleaseMarks(HostConfig config, ILogger<ReleaseMarks> logger)
{
    private readonly ReleaseStore _store = ReleaseStore.For(config, userName: Environment.UserName);

    /// <summary>For <see cref="ReloadHooks.OnReleaseFailed"/>.</summary>
    public void ReleaseFailed(string version, string error)
    {
        try
        {
            if (!_store.ServesFromRoot(version))
            {
                Log.NotMarkedOutsideRoot(logger, version, _store.ProductionLinkPath);
                return;
            }

            _store.MarkBad(version, error);
        }
        catch (Exception ex) when (ex is IOException or ReleaseStoreException or UnauthorizedAccessException)
        {
            Log.HistoryWriteFailed(logger, version, ex.Message);
        }
    }

    /// <summary>For <see cref="ReloadHooks.OnReleaseLoaded"/>.</summary>
    public void ReleaseLoaded(string version)
    {
        try
        {
            if (_store.ProductionOutsideRootTarget() is { } outside)
            {
                Log.OutsideRoot(logger, _store.ProductionLinkPath, outside, _store.Root);
                return;
            }

            if (_store.ClearBadMark(version, "loaded and served by the host"))
            {
                Log.MarkCleared(logger, version);
            }
        }
        catch (Exception ex) when (ex is IOException or ReleaseStoreException or UnauthorizedAccessException)
        {
            Log.HistoryWriteFailed(logger, version, ex.Message);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 90, EventName = "ReleaseMarkFailed", Level = LogLevel.Warning,
            Message = "Could not write the release history about {Version}: {Error}")]
        public static partial void HistoryWriteFailed(ILogger logger, string version, string error);

        [LoggerMessage(EventId = 91, EventName = "ProductionOutsideRoot", Level = LogLevel.Warning,
            Message = "{ProductionLink} leads to {Target}, outside the releases root {Root}: served, but 'promote', 'rollback' and bad marks only know the releases inside the root")]
        public static partial void OutsideRoot(ILogger logger, string productionLink, string target, string root);

        [LoggerMessage(EventId = 92, EventName = "ReleaseNotMarkedBad", Level = LogLevel.Warning,
            Message = "Release {Version} failed to load but is not marked bad: {ProductionLink} does not lead to that release of the releases root")]
        public static partial void NotMarkedOutsideRoot(ILogger logger, string version, string productionLink);

        [LoggerMessage(EventId = 93, EventName = "ReleaseMarkCleared", Level = LogLevel.Information,
            Message = "Release {Version} was marked bad and has now loaded: mark cleared in the release history")]
        public static partial void MarkCleared(ILogger logger, string version);
    }
}
