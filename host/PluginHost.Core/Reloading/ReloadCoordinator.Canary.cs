using Microsoft.Extensions.Logging;
using PluginHost.Core.Configuration;
using PluginHost.Core.Generations;
using PluginHost.Core.Releases;
using PluginHost.Core.Routing;

namespace PluginHost.Core.Reloading;

/// <summary>What 'promote V --canary' asks for.</summary>
/// <param name="Share">Percent of new clients, 1–99.</param>
public sealed record CanaryRequest(string Version, double Share, CanaryHeader? Header);

/// <summary>
/// Canary releases: a second generation serves a share of clients (<see cref="TrafficSplit"/>) besides the current one. A
/// flip of production to the canary's release finishes it with one swap; a flip elsewhere or an abort retires it; a reload
/// of the served release rebuilds both.
/// </summary>
public sealed partial class ReloadCoordinator
{
    private readonly TrafficSplit _split;
    private readonly IShareRoll _roll = new RandomShareRoll();
    private ReleaseFingerprint? _canaryFingerprint;

    /// <summary>The running canary, or null.</summary>
    public CanaryRoute? Canary => _split.Active;

    /// <summary>
    /// Builds and warms the canary release (or takes it warm from a standby when unchanged) and serves it to its share of
    /// clients. A canary of the same release only changes share and header; another release replaces the running canary.
    /// </summary>
    public async Task<ReloadResult> StartCanaryAsync(CanaryRequest request, string trigger, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var result = await BuildCanaryAsync(request, trigger, _timeProvider.GetTimestamp(), cancellationToken);
            Record(result);
            return result;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Ends the running canary (all traffic to production; the link is not touched). Null when none ran.</summary>
    /// <param name="markBad">Also mark the canary's release bad in the release history (automatic abort).</param>
    /// <param name="only">Abort only the canary this tally counts for (not one started since).</param>
    public async Task<ReloadResult?> AbortCanaryAsync(string reason, bool markBad = false, CanaryTally? only = null)
    {
        await _gate.WaitAsync();
        try
        {
            var route = _split.Active;
            if (route is null || (only is not null && !ReferenceEquals(route.Tally, only)))
            {
                return null;
            }

            var version = route.Generation.Release.Version;
            EndCanary(route, $"aborted: {reason}", markBad);
            var serving = Current();
            var result = new ReloadResult(_timeProvider.GetUtcNow(), $"canary {version} aborted", true, null, 0, serving?.Release.Version, serving?.Number);
            Record(result);
            return result;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>After the first load: resumes (or drops, per canary.onRestart) the canary the release history records as running.</summary>
    public async Task ResumeCanaryAsync(CancellationToken cancellationToken = default)
    {
        var store = ReleaseStore.For(Config, userName: Environment.UserName);
        ReleaseHistoryEntry? recorded;
        try
        {
            recorded = store.ActiveCanary();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ReleaseStoreException)
        {
            Log.CanaryHistoryFailed(_logger, ex.Message);
            return;
        }

        if (recorded?.To is not { } version)
        {
            return;
        }

        if (Config.Canary.OnRestart == CanaryRestart.Drop)
        {
            RecordCanaryEnd(version, "dropped: the host restarted (canary.onRestart: drop)");
            Log.CanaryDropped(_logger, version);
            return;
        }

        var result = await ResumeAsync(version, recorded, cancellationToken);
        if (!result.Ok)
        {
            RecordCanaryEnd(version, $"not resumed after a restart: {result.Error}");
        }
    }

    private async Task<ReloadResult> ResumeAsync(string version, ReleaseHistoryEntry recorded, CancellationToken cancellationToken)
    {
        const string Trigger = "restart resumes the canary";
        CanaryHeader? header;
        try
        {
            header = CanaryHeader.ParseOptional(recorded.Header);
        }
        catch (ArgumentException ex)
        {
            return PrepareFailed(Trigger, _timeProvider.GetTimestamp(), ex.Message);
        }

        return await StartCanaryAsync(new CanaryRequest(version, recorded.Share ?? CanaryTarget.MinShare, header), Trigger, cancellationToken);
    }

    private async Task<ReloadResult> BuildCanaryAsync(CanaryRequest request, string trigger, long started, CancellationToken cancellationToken)
    {
        HostConfig config;
        ResolvedRelease release;
        try
        {
            CanaryTarget.RequireShare(request.Share);
            config = ReadConfig();
            release = CanaryRelease(config, request.Version);
        }
        catch (Exception ex) when (ex is ConfigException or ReleaseStoreException or ArgumentException or InvalidOperationException or IOException)
        {
            return PrepareFailed(trigger, started, ex.Message);
        }

        var fingerprint = ReleaseFingerprint.Take(release.Path, config.SourcePath);
        var target = new CanaryTarget(release.Version, request.Share, request.Header, _timeProvider.GetUtcNow());
        if (_split.Active is { } running && running.Generation.Release.Path == release.Path && _canaryFingerprint?.Matches(fingerprint) == true)
        {
            _split.Start(running.WithTarget(target, _roll));
            return CanaryStarted(trigger, started, running.Generation, target, SwapKinds.Canary);
        }

        var (generation, kind, error) = await WarmOrBuildAsync(config, release, fingerprint, cancellationToken);
        if (generation is null)
        {
            return PrepareFailed(trigger, started, $"canary of '{request.Version}' failed; nothing changed: {error}");
        }

        InstallCanary(generation, target, config, fingerprint);
        return CanaryStarted(trigger, started, generation, target, kind);
    }

    /// <summary>Routes the canary's share to <paramref name="generation"/>; a canary it replaces and a prepared generation retire.</summary>
    private void InstallCanary(Generation generation, CanaryTarget target, HostConfig config, ReleaseFingerprint fingerprint)
    {
        var guard = new CanaryGuard(config.Canary.MaxErrorRate, config.Canary.MinRequests);
        if (_split.Start(new CanaryRoute(generation, target, guard, _roll, OnCanaryTripped)) is { } replaced)
        {
            Log.CanaryEnded(_logger, replaced.Generation.Release.Version, replaced.Generation.Number, $"replaced by the canary of {target.Version}");
            StartRetiring(replaced.Generation);
        }

        _canaryFingerprint = fingerprint;
        RetireAll(_standbys.Discard(s => s.Role == StandbyRole.Prepared), "a canary started (at most three generations: serving, canary, rollback standby)");
        foreach (var app in generation.Apps)
        {
            app.NotifyStarted();
        }
    }

    /// <summary>The warm standby of <paramref name="release"/> when unchanged, else a fresh build; no generation and the error when the build failed.</summary>
    private async Task<(Generation? Generation, string Kind, string? Error)> WarmOrBuildAsync(HostConfig config, ResolvedRelease release, ReleaseFingerprint fingerprint,
        CancellationToken cancellationToken)
    {
        if (_standbys.Take(release.Path) is { } held)
        {
            if (held.Fingerprint.Matches(fingerprint))
            {
                return (held.Generation, held.Role == StandbyRole.Prepared ? SwapKinds.Prepared : SwapKinds.Standby, null);
            }

            RetireAll([held], "its release folder or config.yaml changed since it was built; building the canary afresh");
        }

        try
        {
            return (await _builder.BuildAsync(config, ++_lastGeneration, release, cancellationToken), SwapKinds.Built, null);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return (null, SwapKinds.Built, ex.Message);
        }
    }

    /// <summary>The folder of <paramref name="version"/>; throws naming the cause when it cannot be a canary.</summary>
    private ResolvedRelease CanaryRelease(HostConfig config, string version)
    {
        var store = ReleaseStore.For(config);
        var path = store.RequireExisting(version);
        if (_current.Value?.Release.Path == path)
        {
            throw new InvalidOperationException($"release '{version}' is already served to everyone ({path}); a canary needs another release");
        }

        if (store.GetBadReason(version) is { } bad)
        {
            throw new InvalidOperationException($"release '{version}' is marked bad ({bad}); publish it again to clear the mark");
        }

        return new ResolvedRelease(version, path);
    }

    private ReloadResult CanaryStarted(string trigger, long started, Generation generation, CanaryTarget target, string kind)
    {
        RecordCanaryStart(target);
        var duration = (long)_timeProvider.GetElapsedTime(started).TotalMilliseconds;
        Log.CanaryStarted(_logger, target.Version, generation.Number, Percentage.Format(target.Share), target.Header?.ToString() ?? "none", kind, duration);
        return new ReloadResult(_timeProvider.GetUtcNow(), trigger, true, null, duration, generation.Release.Version, generation.Number) { Swap = kind };
    }

    /// <summary>
    /// A reload while a canary runs. A flip to the canary's release finishes it (swapped in, nothing loaded); a reload of the
    /// served release rebuilds both; a flip to a third release ends the canary and builds as usual (null: go on).
    /// </summary>
    private async Task<ReloadResult?> DuringCanaryAsync(CanaryRoute canary, ResolvedRelease target, HostConfig config, ReloadRequest request, long started,
        CancellationToken cancellationToken)
    {
        if (target.Path == canary.Generation.Release.Path)
        {
            return FinishCanary(canary, target, config, request, started);
        }

        if (_current.Value?.Release.Path == target.Path)
        {
            return await RebuildBothAsync(canary, config, request, started, cancellationToken);
        }

        EndCanary(canary, $"aborted: production moved to {target.Version}", markBad: false);
        return null;
    }

    private ReloadResult? FinishCanary(CanaryRoute canary, ResolvedRelease target, HostConfig config, ReloadRequest request, long started)
    {
        var fingerprint = ReleaseFingerprint.Take(target.Path, config.SourcePath);
        if (_canaryFingerprint?.Matches(fingerprint) != true)
        {
            EndCanary(canary, "ended: its release folder or config.yaml changed since it was built; building it afresh", markBad: false);
            return null;
        }

        _split.End(canary);
        _canaryFingerprint = null;
        RecordCanaryEnd(target.Version, "finished: production is the canary's release");
        Log.CanaryEnded(_logger, target.Version, canary.Generation.Number, "finished: it now serves everyone");
        return SwapIn(canary.Generation, fingerprint, config, request, started, SwapKinds.Canary);
    }

    /// <summary>Builds the served release and the canary's afresh; both swap in only when both built, else both keep serving.</summary>
    private async Task<ReloadResult> RebuildBothAsync(CanaryRoute canary, HostConfig config, ReloadRequest request, long started, CancellationToken cancellationToken)
    {
        RetireAll(_standbys.Discard(s => s.Role == StandbyRole.Previous), "the served release was reloaded");
        var canaryRelease = canary.Generation.Release;
        var stableTarget = TryResolve(config);
        var stableFingerprint = stableTarget is null ? null : ReleaseFingerprint.Take(stableTarget.Path, config.SourcePath);
        var canaryFingerprint = ReleaseFingerprint.Take(canaryRelease.Path, config.SourcePath);
        Generation stable;
        try
        {
            stable = await _builder.BuildAsync(config, ++_lastGeneration, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return Failed(request, started, ex.Message, (ex as GenerationBuildException)?.FailedVersion);
        }

        Generation rebuilt;
        try
        {
            rebuilt = await _builder.BuildAsync(config, ++_lastGeneration, canaryRelease, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            StartRetiring(stable);
            return Failed(request, started, $"the canary {canaryRelease.Version} failed to build, so neither generation was swapped: {ex.Message}", failedVersion: null);
        }

        _split.Start(canary.WithGeneration(rebuilt));
        _canaryFingerprint = canaryFingerprint;
        StartRetiring(canary.Generation);
        foreach (var app in rebuilt.Apps)
        {
            app.NotifyStarted();
        }

        Log.CanaryRebuilt(_logger, canaryRelease.Version, rebuilt.Number, request.Trigger);
        return SwapIn(stable, stableFingerprint?.Release == stable.Release.Path ? stableFingerprint : null, config, request, started, SwapKinds.Built);
    }

    /// <summary>Stops routing to <paramref name="canary"/>, retires its generation and records why.</summary>
    private void EndCanary(CanaryRoute canary, string reason, bool markBad)
    {
        _split.End(canary);
        _canaryFingerprint = null;
        var version = canary.Generation.Release.Version;
        Log.CanaryEnded(_logger, version, canary.Generation.Number, reason);
        StartRetiring(canary.Generation);
        RecordCanaryEnd(version, reason);
        if (markBad)
        {
            WriteHistory(store => store.MarkBad(version, $"canary {reason}"), version);
        }
    }

    private void OnCanaryTripped(CanaryTally tally, string reason)
    {
        Log.CanaryTripped(_logger, tally.Version, reason);
        _ = Task.Run(() => AbortCanaryAsync(reason, markBad: true, only: tally), CancellationToken.None);
    }

    private void RecordCanaryStart(CanaryTarget target) =>
        WriteHistory(store => store.RecordCanary(target.Version, target.Share, target.Header?.ToString()), target.Version);

    private void RecordCanaryEnd(string version, string reason) => WriteHistory(store => store.RecordCanaryEnd(version, reason), version);

    private void WriteHistory(Action<ReleaseStore> write, string version)
    {
        try
        {
            write(ReleaseStore.For(Config, userName: Environment.UserName));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ReleaseStoreException or ArgumentException)
        {
            Log.CanaryHistoryWriteFailed(_logger, version, ex.Message);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 120, EventName = "CanaryStarted", Level = LogLevel.Information,
            Message = "Canary {Version} generation {Generation} serves {Share} of new clients (header: {Header}); {Kind} in {CanaryMs} ms")]
        public static partial void CanaryStarted(ILogger logger, string version, long generation, string share, string header, string kind, long canaryMs);

        [LoggerMessage(EventId = 121, EventName = "CanaryEnded", Level = LogLevel.Information,
            Message = "Canary {Version} generation {Generation} {Reason}")]
        public static partial void CanaryEnded(ILogger logger, string version, long generation, string reason);

        [LoggerMessage(EventId = 122, EventName = "CanaryAutoAbort", Level = LogLevel.Error,
            Message = "Aborting the canary {Version} and marking it bad: {Reason}")]
        public static partial void CanaryTripped(ILogger logger, string version, string reason);

        [LoggerMessage(EventId = 123, EventName = "CanaryRebuilt", Level = LogLevel.Information,
            Message = "Canary {Version} rebuilt as generation {Generation} with the served release ({Trigger})")]
        public static partial void CanaryRebuilt(ILogger logger, string version, long generation, string trigger);

        [LoggerMessage(EventId = 124, EventName = "CanaryDropped", Level = LogLevel.Warning,
            Message = "The release history records a canary of {Version}; not resumed (canary.onRestart: drop): everyone gets production")]
        public static partial void CanaryDropped(ILogger logger, string version);

        [LoggerMessage(EventId = 125, EventName = "CanaryHistoryWriteFailed", Level = LogLevel.Warning,
            Message = "Could not write the canary of {Version} into the release history: {Error}")]
        public static partial void CanaryHistoryWriteFailed(ILogger logger, string version, string error);

        [LoggerMessage(EventId = 126, EventName = "CanaryHistoryReadFailed", Level = LogLevel.Warning,
            Message = "Could not read the release history for a canary to resume: {Error}")]
        public static partial void CanaryHistoryFailed(ILogger logger, string error);
    }
}
