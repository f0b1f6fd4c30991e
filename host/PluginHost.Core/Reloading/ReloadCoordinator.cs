using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using PluginHost.Core.Configuration;
using PluginHost.Core.Generations;
using PluginHost.Core.Releases;
using PluginHost.Core.Routing;
using PluginHost.Core.Telemetry;

namespace PluginHost.Core.Reloading;

/// <summary>What the coordinator needs besides the engine parts.</summary>
/// <param name="LoadConfig">Reads config.yaml again for every reload (throws ConfigException when invalid).</param>
/// <param name="OnReleaseFailed">
/// Told the version and error of a release that failed to load (e.g. to mark it bad); not called when the fault lies
/// outside the release (an invalid config.yaml or users file, a missing assembly named by config, a dangling link).
/// </param>
/// <param name="OnReleaseLoaded">Told the version of every release that loaded and now serves (e.g. to clear a bad mark).</param>
public sealed record ReloadHooks(Func<string, HostConfig> LoadConfig, Action<string, string>? OnReleaseFailed = null, Action<string>? OnReleaseLoaded = null)
{
    /// <summary>
    /// Whether a release (the second argument) is still where 'rollback' would go from the production release the host read
    /// just before (the third), e.g. by the release history; a warm standby that no longer is gets unloaded. Null: every
    /// standby counts as the rollback target.
    /// </summary>
    public Func<HostConfig, string, string?, bool>? IsRollbackTarget { get; init; }
}

/// <summary>
/// Runs loads one at a time: build the whole new generation off to the side, swap it in with one atomic
/// exchange, retire the old one in the background. A failed reload leaves the serving generation untouched.
/// A trigger that arrives during a reload schedules exactly one more reload after it.
/// </summary>
public sealed partial class ReloadCoordinator : IAsyncDisposable
{
    private const int HistoryLength = 50;
    private const long NoneRead = long.MinValue;
    private readonly CurrentGeneration _current;
    private readonly IGenerationBuilder _builder;
    private readonly IGenerationRetirer _retirer;
    private readonly ReloadHooks _hooks;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<ReloadCoordinator> _logger;
    private readonly PluginHostMetrics? _metrics;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Channel<ReloadRequest> _requests = Channel.CreateBounded<ReloadRequest>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
    private readonly List<Task> _retirements = [];
    private readonly Lock _historyLock = new();
    private readonly LinkedList<ReloadResult> _history = new();
    private readonly CancellationTokenSource _stopping = new();
    private Task _loop = Task.CompletedTask;
    private int _stopped;
    private long _lastGeneration;
    private long _lastInputsRead = NoneRead;
    private long _alreadyApplied;
    private HostConfig _config;

    public ReloadCoordinator(HostConfig config, CurrentGeneration current, IGenerationBuilder builder, IGenerationRetirer retirer,
        ReloadHooks hooks, TimeProvider timeProvider, ILogger<ReloadCoordinator> logger, PluginHostMetrics? metrics = null,
        StandbyGenerations? standbys = null, TrafficSplit? split = null)
    {
        _metrics = metrics;
        _split = split ?? new TrafficSplit();
        _standbys = standbys ?? new StandbyGenerations();
        _config = config;
        _lastGeneration = config.Reload.FirstGeneration - 1;
        _current = current;
        _builder = builder;
        _retirer = retirer;
        _hooks = hooks;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    public HostConfig Config => Volatile.Read(ref _config);

    public ReloadResult? LastResult
    {
        get
        {
            lock (_historyLock)
            {
                return _history.First?.Value;
            }
        }
    }

    /// <summary>Newest first.</summary>
    public IReadOnlyList<ReloadResult> History
    {
        get
        {
            lock (_historyLock)
            {
                return _history.ToList();
            }
        }
    }

    public long CompletedReloads { get; private set; }

    /// <summary>Requests not reloaded because a reload that began after their change was seen applied it (for tests).</summary>
    internal long AlreadyApplied => Interlocked.Read(ref _alreadyApplied);

    /// <summary>The first load: a failure here is thrown, so the host stops with a clear message.</summary>
    public async Task<Generation> LoadFirstAsync(CancellationToken cancellationToken = default)
    {
        var result = await ReloadAsync(new ReloadRequest("startup", ReadConfig: false) { IsFirstLoad = true }, cancellationToken);
        if (!result.Ok)
        {
            throw new GenerationBuildException(result.Error!);
        }

        _loop = Task.Run(() => ProcessRequestsAsync(_stopping.Token), CancellationToken.None);
        StartStandbyChecks();
        return _current.Value!;
    }

    /// <summary>Asks for a reload; returns at once. Bursts collapse into one pending request.</summary>
    /// <param name="seenAt">
    /// When the change was seen (a <see cref="TimeProvider.GetTimestamp"/> of the coordinator's time provider), or null
    /// when unknown. A change seen before a reload began reading config and release was applied by it and is not reloaded again.
    /// </param>
    public void RequestReload(string trigger, long? seenAt = null) =>
        _requests.Writer.TryWrite(new ReloadRequest(trigger) { SeenAt = seenAt });

    /// <summary>Reloads now (waiting for a reload in progress first) and returns its result.</summary>
    public async Task<ReloadResult> ReloadAsync(ReloadRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (AppliedByAnEarlierReload(request) is { } applied)
            {
                return applied;
            }

            var result = await BuildAndSwapAsync(request, cancellationToken);
            Record(result);
            _metrics?.ReloadCompleted(result);
            return result;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Called right before a reload reads its inputs (the reload watcher takes them as its new baseline).</summary>
    public Action? BeforeInputsRead { get; set; }

    /// <summary>
    /// A timestamp to give as <see cref="ReloadRequest.FlippedSince"/>, taken before the admin API moves the production link
    /// and then asks for the reload itself.
    /// </summary>
    public long BeforeFlip() => _timeProvider.GetTimestamp();

    /// <summary>
    /// The result of the reload that already served the admin API's flip: the watcher sees the flip too, and its reload may
    /// take the gate first. Building again would then reload the served release (and let the rollback standby go).
    /// </summary>
    private ReloadResult? AppliedByAnEarlierReload(ReloadRequest request)
    {
        if (request.FlippedSince is not { } since || Interlocked.Read(ref _lastInputsRead) is var read && (read == NoneRead || read < since)
            || LastResult is not { Ok: true } last || TryResolve(Config) is not { } production || _current.Value?.Release.Path != production.Path)
        {
            return null;
        }

        Log.AlreadyApplied(_logger, request.Trigger);
        Interlocked.Increment(ref _alreadyApplied);
        return last;
    }

    /// <summary>Completes when every retired generation has been drained, disposed and handed to the unload tracker.</summary>
    public Task WhenRetiredAsync()
    {
        lock (_retirements)
        {
            return Task.WhenAll(_retirements);
        }
    }

    private async Task ProcessRequestsAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var request in _requests.Reader.ReadAllAsync(cancellationToken))
            {
                if (request.SeenAt is { } seenAt && Interlocked.Read(ref _lastInputsRead) is var read && read != NoneRead && seenAt < read)
                {
                    // E.g. a deploy's trigger touch seen just after its link flip, which already started this reload.
                    Log.AlreadyApplied(_logger, request.Trigger);
                    Interlocked.Increment(ref _alreadyApplied);
                    continue;
                }

                await ReloadAsync(request, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private async Task<ReloadResult> BuildAndSwapAsync(ReloadRequest request, CancellationToken cancellationToken)
    {
        // The watcher's baseline becomes what this reload reads: a change made before now (a flip the admin API just made,
        // or a touch that came with it) and noticed by the watcher only later is then no change to it, not a second reload.
        BeforeInputsRead?.Invoke();
        var started = _timeProvider.GetTimestamp();
        // Everything this reload reads (config.yaml, the link, the release's files) is read from here on.
        Interlocked.Exchange(ref _lastInputsRead, started);
        HostConfig config;
        try
        {
            config = request.ReadConfig ? ReadConfig() : Config;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return Failed(request, started, ex.Message, failedVersion: null);
        }

        var target = TryResolve(config);
        if (target is not null && !request.IsFirstLoad && _split.Active is { } canary)
        {
            if (await DuringCanaryAsync(canary, target, config, request, started, cancellationToken) is { } handled)
            {
                return handled;
            }
        }

        if (target is not null && !request.IsFirstLoad && TakeWarm(target, config) is { } warm)
        {
            return SwapIn(warm.Generation, warm.Fingerprint, config, request, started,
                warm.Role == StandbyRole.Prepared ? SwapKinds.Prepared : SwapKinds.Standby);
        }

        // A number is never reused, not even after a failed build: log lines and leak reports name one generation each.
        var number = ++_lastGeneration;
        var fingerprint = target is null ? null : ReleaseFingerprint.Take(target.Path, config.SourcePath);
        Generation next;
        try
        {
            next = await _builder.BuildAsync(config, number, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return Failed(request, started, ex.Message, (ex as GenerationBuildException)?.FailedVersion);
        }

        // The link may have moved between the fingerprint and the build's own resolve: then the fingerprint is not this build's.
        return SwapIn(next, fingerprint?.Release == next.Release.Path ? fingerprint : null, config, request, started, SwapKinds.Built);
    }

    /// <summary>Publishes <paramref name="next"/>; the generation it replaces becomes the warm standby or retires.</summary>
    private ReloadResult SwapIn(Generation next, ReleaseFingerprint? fingerprint, HostConfig config, ReloadRequest request, long started, string kind)
    {
        Volatile.Write(ref _config, config);
        var old = _current.Swap(next);
        var oldFingerprint = _servingFingerprint;
        _servingFingerprint = fingerprint;
        foreach (var app in next.Apps)
        {
            app.NotifyStarted();
        }

        var duration = _timeProvider.GetElapsedTime(started);
        LogSwap(request.Trigger, next, kind, (long)duration.TotalMilliseconds);
        if (old is not null)
        {
            KeepOrRetire(old, oldFingerprint, next, config);
        }

        CompletedReloads++;
        _metrics?.SwapCompleted(kind);
        _hooks.OnReleaseLoaded?.Invoke(next.Release.Version);
        return new ReloadResult(_timeProvider.GetUtcNow(), request.Trigger, true, null, (long)duration.TotalMilliseconds, next.Release.Version, next.Number)
        {
            Swap = kind,
        };
    }

    private void LogSwap(string trigger, Generation next, string kind, long milliseconds)
    {
        if (kind == SwapKinds.Built)
        {
            Log.Swapped(_logger, trigger, next.Release.Version, next.Number, milliseconds);
        }
        else
        {
            Log.SwappedWarm(_logger, trigger, next.Release.Version, next.Number, kind, milliseconds);
        }
    }

    /// <summary>Reads config.yaml again; only its apps take effect (see <see cref="StartupOnlySettings"/>).</summary>
    private HostConfig ReadConfig()
    {
        var running = Config;
        var reloaded = _hooks.LoadConfig(running.SourcePath);
        if (StartupOnlySettings.Changed(running, reloaded) is { Count: > 0 } changed)
        {
            Log.RestartNeeded(_logger, running.SourcePath, string.Join(", ", changed));
        }

        return StartupOnlySettings.Reload(running, reloaded);
    }

    /// <param name="failedVersion">The release to report as failed (the one the builder resolved), or null when it is not at fault.</param>
    private ReloadResult Failed(ReloadRequest request, long started, string error, string? failedVersion)
    {
        if (!request.IsFirstLoad)
        {
            // A failed first load is not logged here: the host stops with its message (one line, not two).
            Log.ReloadFailed(_logger, request.Trigger, error);
        }

        if (failedVersion is not null)
        {
            _hooks.OnReleaseFailed?.Invoke(failedVersion, error);
        }

        var serving = Current();
        return new ReloadResult(_timeProvider.GetUtcNow(), request.Trigger, false, error,
            (long)_timeProvider.GetElapsedTime(started).TotalMilliseconds, serving?.Release.Version, serving?.Number);
    }

    private Generation? Current() => _current.Value;

    private void StartRetiring(Generation old)
    {
        lock (_retirements)
        {
            _retirements.RemoveAll(t => t.IsCompleted);
            _retirements.Add(Task.Run(() => _retirer.RetireAsync(old), CancellationToken.None));
        }
    }

    private void Record(ReloadResult result)
    {
        lock (_historyLock)
        {
            _history.AddFirst(result);
            if (_history.Count > HistoryLength)
            {
                _history.RemoveLast();
            }
        }
    }

    /// <summary>Stops reloading, takes the current generation out of service and retires everything (standbys too). Idempotent.</summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            await WhenRetiredAsync();
            return;
        }

        await _stopping.CancelAsync();
        _requests.Writer.TryComplete();
        await _loop;
        await _gate.WaitAsync();
        _standbyChecks?.Dispose();
        if (_current.Clear() is { } last)
        {
            StartRetiring(last);
        }

        // Not recorded as ended: the history keeps the canary, so the next start can resume it (canary.onRestart).
        if (_split.End() is { } canary)
        {
            StartRetiring(canary.Generation);
        }

        RetireAll(_standbys.Discard(_ => true), "the host is stopping");

        await WhenRetiredAsync();
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, EventName = "GenerationSwapped", Level = LogLevel.Information,
            Message = "Serving {Version} generation {Generation} ({Trigger}); built and swapped in {ReloadMs} ms")]
        public static partial void Swapped(ILogger logger, string trigger, string version, long generation, long reloadMs);

        [LoggerMessage(EventId = 2, EventName = "ReloadFailed", Level = LogLevel.Error,
            Message = "Reload ({Trigger}) failed; the previous generation keeps serving: {Error}")]
        public static partial void ReloadFailed(ILogger logger, string trigger, string error);

        [LoggerMessage(EventId = 4, EventName = "ReloadAlreadyApplied", Level = LogLevel.Debug,
            Message = "Reload trigger ({Trigger}) was seen before the last reload read config and release; that reload applied it")]
        public static partial void AlreadyApplied(ILogger logger, string trigger);

        [LoggerMessage(EventId = 110, EventName = "GenerationSwappedWarm", Level = LogLevel.Information,
            Message = "Serving {Version} generation {Generation} ({Trigger}); swapped in the warm {Kind} generation in {ReloadMs} ms, nothing loaded")]
        public static partial void SwappedWarm(ILogger logger, string trigger, string version, long generation, string kind, long reloadMs);

        [LoggerMessage(EventId = 3, EventName = "RestartNeeded", Level = LogLevel.Warning,
            Message = "{ConfigPath}: changes to {Sections} take effect only when the host restarts; this reload applies the apps")]
        public static partial void RestartNeeded(ILogger logger, string configPath, string sections);
    }
}

/// <summary>Why a reload was asked for. Every reload reads config.yaml again, so it never runs on a stale config.</summary>
public sealed record ReloadRequest(string Trigger, bool ReadConfig = true)
{
    /// <summary>When the change was seen (<see cref="TimeProvider.GetTimestamp"/>), or null when unknown (an admin request).</summary>
    public long? SeenAt { get; init; }

    /// <summary>
    /// The admin API moved the production link after this moment (<see cref="ReloadCoordinator.BeforeFlip"/>): a reload that
    /// read its inputs since then and serves the link's release applied it already.
    /// </summary>
    public long? FlippedSince { get; init; }

    /// <summary>The load at start-up, whose failure stops the host instead of keeping a previous generation.</summary>
    internal bool IsFirstLoad { get; init; }
}
