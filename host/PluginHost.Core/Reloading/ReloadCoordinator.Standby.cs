using Microsoft.Extensions.Logging;
using PluginHost.Core.Configuration;
using PluginHost.Core.Generations;
using PluginHost.Core.Releases;

namespace PluginHost.Core.Reloading;

/// <summary>
/// Warm generations: the one a promote replaced is kept loaded and idle (<c>reload.keepPrevious</c>), and one can be built
/// ahead of a promote (<see cref="PrepareAsync"/>). A reload whose release is held warm, with the same files and config,
/// swaps it in with one reference exchange instead of building.
/// </summary>
public sealed partial class ReloadCoordinator
{
    private readonly StandbyGenerations _standbys;
    private ReleaseFingerprint? _servingFingerprint;
    private ITimer? _standbyChecks;

    /// <summary>The generations held warm besides the serving one.</summary>
    public IReadOnlyList<Standby> Standbys => _standbys.Current;

    /// <summary>
    /// Builds and warms <paramref name="version"/> of the releases root as a prepared generation, without serving it: a
    /// promote to it then swaps instantly. A release already held warm and unchanged is not built again.
    /// </summary>
    public async Task<ReloadResult> PrepareAsync(string version, CancellationToken cancellationToken = default)
    {
        var trigger = $"prepare {version}";
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var started = _timeProvider.GetTimestamp();
            var result = await BuildPreparedAsync(version, trigger, started, cancellationToken);
            Record(result);
            return result;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<ReloadResult> BuildPreparedAsync(string version, string trigger, long started, CancellationToken cancellationToken)
    {
        HostConfig config;
        ResolvedRelease release;
        try
        {
            config = ReadConfig();
            release = PreparableRelease(config, version);
        }
        catch (Exception ex) when (ex is ConfigException or ReleaseStoreException or ArgumentException or InvalidOperationException)
        {
            return PrepareFailed(trigger, started, ex.Message);
        }

        var fingerprint = ReleaseFingerprint.Take(release.Path, config.SourcePath);
        if (_standbys.Current.FirstOrDefault(s => s.Generation.Release.Path == release.Path && s.Fingerprint.Matches(fingerprint)) is { } held)
        {
            return Prepared(trigger, started, held.Generation, built: false);
        }

        var number = ++_lastGeneration;
        Generation next;
        try
        {
            next = await _builder.BuildAsync(config, number, release, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return PrepareFailed(trigger, started, ex.Message);
        }

        RetireAll(_standbys.Put(new Standby(next, StandbyRole.Prepared, fingerprint, _timeProvider.GetUtcNow())), $"{version} was prepared");
        return Prepared(trigger, started, next, built: true);
    }

    /// <summary>The folder of <paramref name="version"/> in the releases root; throws naming the cause when it cannot be prepared.</summary>
    private ResolvedRelease PreparableRelease(HostConfig config, string version)
    {
        var store = ReleaseStore.For(config);
        var path = store.RequireExisting(version);
        if (_current.Value?.Release.Path == path)
        {
            throw new InvalidOperationException($"release '{version}' is already served ({path}); nothing to prepare");
        }

        return new ResolvedRelease(version, path);
    }

    private ReloadResult Prepared(string trigger, long started, Generation generation, bool built)
    {
        var duration = (long)_timeProvider.GetElapsedTime(started).TotalMilliseconds;
        Log.Prepared(_logger, generation.Release.Version, generation.Number, built ? "built and warmed up" : "already held warm", duration);
        return new ReloadResult(_timeProvider.GetUtcNow(), trigger, true, null, duration, generation.Release.Version, generation.Number)
        {
            Swap = built ? SwapKinds.Built : SwapKinds.Prepared,
        };
    }

    private ReloadResult PrepareFailed(string trigger, long started, string error)
    {
        Log.PrepareFailed(_logger, trigger, error);
        return new ReloadResult(_timeProvider.GetUtcNow(), trigger, false, error,
            (long)_timeProvider.GetElapsedTime(started).TotalMilliseconds, _current.Value?.Release.Version, _current.Value?.Number);
    }

    /// <summary>The production release as a build would resolve it, or null when it cannot be (the build reports why).</summary>
    private static ResolvedRelease? TryResolve(HostConfig config)
    {
        try
        {
            return ReleaseResolver.Resolve(config.ProductionLink);
        }
        catch (Exception ex) when (ex is ReleaseException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// The warm generation of <paramref name="target"/> when one is held and its files and config are unchanged. A reload of
    /// the release already served is a request for fresh code: it builds, and the rollback standby is let go.
    /// </summary>
    private Standby? TakeWarm(ResolvedRelease target, HostConfig config)
    {
        if (_current.Value?.Release.Path == target.Path)
        {
            RetireAll(_standbys.Discard(s => s.Role == StandbyRole.Previous), "the served release was reloaded");
            return null;
        }

        if (_standbys.Take(target.Path) is not { } standby)
        {
            return null;
        }

        if (standby.Fingerprint.Matches(ReleaseFingerprint.Take(target.Path, config.SourcePath)))
        {
            return standby;
        }

        RetireAll([standby], "its release folder or config.yaml changed since it was built; building it again");
        return null;
    }

    /// <summary>The replaced generation stays warm as the rollback standby when it was another release, else it retires.</summary>
    private void KeepOrRetire(Generation old, ReleaseFingerprint? oldFingerprint, Generation next, HostConfig config)
    {
        var keep = config.Reload.KeepPrevious && oldFingerprint is not null && old.Release.Path != next.Release.Path
            && oldFingerprint.Release == old.Release.Path;
        if (!keep)
        {
            StartRetiring(old);
            return;
        }

        Log.KeptWarm(_logger, old.Release.Version, old.Number);
        RetireAll(_standbys.Put(new Standby(old, StandbyRole.Previous, oldFingerprint!, _timeProvider.GetUtcNow())),
            $"{old.Release.Version} generation {old.Number} is the rollback standby now");
    }

    private void RetireAll(IReadOnlyList<Standby> standbys, string reason)
    {
        foreach (var standby in standbys)
        {
            Log.Discarded(_logger, standby.Role.ToString().ToLowerInvariant(), standby.Generation.Release.Version, standby.Generation.Number, reason);
            StartRetiring(standby.Generation);
        }
    }

    private void StartStandbyChecks()
    {
        using (ExecutionContext.SuppressFlow())
        {
            _standbyChecks = _timeProvider.CreateTimer(_ => CheckStandbys(), null, Config.Reload.PollInterval, Config.Reload.PollInterval);
        }
    }

    /// <summary>
    /// Lets go of standbys whose release folder or config changed on disk, and of a rollback standby that is no longer the
    /// rollback target. Skipped while a reload runs (it checks what it uses itself).
    /// </summary>
    /// <remarks>
    /// A standby of the release the production link leads to <em>now</em> is never let go for not being the rollback target:
    /// a flip to it (a 'rollback', or a link moved by hand) was made and the reload that swaps it in has not run yet (it
    /// waits for the next poll and the debounce). In that window the history already records the flip, so production is
    /// the standby's release and 'rollback' would go elsewhere (or nowhere): asking the history would unload exactly the
    /// generation the pending reload is about to swap in, and that reload would build the release again.
    /// </remarks>
    public void CheckStandbys()
    {
        if (_standbys.Current.Count == 0 || !_gate.Wait(0))
        {
            return;
        }

        try
        {
            var config = Config;
            RetireAll(_standbys.Discard(s => !s.Fingerprint.Matches(ReleaseFingerprint.Take(s.Generation.Release.Path, config.SourcePath))),
                "its release folder or config.yaml changed on disk");
            // Read once, before the history is (see RollbackTargets.IsStillTarget).
            var production = TryResolve(config);
            RetireAll(_standbys.Discard(s => s.Role == StandbyRole.Previous && s.Generation.Release.Path != production?.Path
                    && _hooks.IsRollbackTarget?.Invoke(config, s.Generation.Release.Version, production?.Version) == false),
                "it is no longer the rollback target");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ReleaseStoreException)
        {
            Log.StandbyCheckFailed(_logger, ex.Message);
        }
        finally
        {
            _gate.Release();
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 111, EventName = "GenerationKeptWarm", Level = LogLevel.Information,
            Message = "Keeping {Version} generation {Generation} loaded as the rollback standby (reload.keepPrevious): drained, idle, its hosted services still running")]
        public static partial void KeptWarm(ILogger logger, string version, long generation);

        [LoggerMessage(EventId = 112, EventName = "StandbyDiscarded", Level = LogLevel.Information,
            Message = "Unloading the {Role} standby {Version} generation {Generation}: {Reason}")]
        public static partial void Discarded(ILogger logger, string role, string version, long generation, string reason);

        [LoggerMessage(EventId = 113, EventName = "GenerationPrepared", Level = LogLevel.Information,
            Message = "Prepared {Version} generation {Generation} ({How}) in {PrepareMs} ms: a promote to it swaps instantly")]
        public static partial void Prepared(ILogger logger, string version, long generation, string how, long prepareMs);

        [LoggerMessage(EventId = 114, EventName = "PrepareFailed", Level = LogLevel.Error,
            Message = "{Trigger} failed; nothing changed: {Error}")]
        public static partial void PrepareFailed(ILogger logger, string trigger, string error);

        [LoggerMessage(EventId = 115, EventName = "StandbyCheckFailed", Level = LogLevel.Warning,
            Message = "Could not check the warm standbys against the disk and the release history: {Error}")]
        public static partial void StandbyCheckFailed(ILogger logger, string error);
    }
}
