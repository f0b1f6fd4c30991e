using Microsoft.Extensions.Logging;
using PluginHost.Core.Configuration;

namespace PluginHost.Core.Reloading;

/// <summary>
/// Notices reload triggers: a FileSystemWatcher for speed and a polling timer as the fallback (network file
/// systems, container volumes, a watcher that failed). Both only prompt a comparison of <see cref="WatchedState"/>,
/// so a change is acted on once, however many events announce it.
/// </summary>
public sealed partial class ReloadWatcher : IDisposable
{
    private readonly HostConfig _config;
    private readonly Debouncer _debouncer;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<ReloadWatcher> _logger;
    private readonly Lock _lock = new();
    private readonly List<FileSystemWatcher> _watchers = [];
    private WatchedState _last;
    private ITimer? _poll;

    public ReloadWatcher(HostConfig config, Debouncer debouncer, TimeProvider timeProvider, ILogger<ReloadWatcher> logger)
    {
        _config = config;
        _debouncer = debouncer;
        _timeProvider = timeProvider;
        _logger = logger;
        _last = WatchedState.Read(config);
    }

    public void Start()
    {
        using (ExecutionContext.SuppressFlow())
        {
            _poll = _timeProvider.CreateTimer(_ => Check(), null, _config.Reload.PollInterval, _config.Reload.PollInterval);
        }

        if (!_config.Reload.WatchFiles)
        {
            return;
        }

        var folders = new[] { _config.Releases.Root, Path.GetDirectoryName(_config.Reload.Trigger)!, Path.GetDirectoryName(_config.SourcePath)! };
        foreach (var folder in folders.Distinct().Where(Directory.Exists))
        {
            TryWatch(folder);
        }
    }

    /// <summary>Compares the watched state with the last one acted on; signals the debouncer when it changed.</summary>
    public void Check()
    {
        string? change;
        bool complete;
        lock (_lock)
        {
            var now = WatchedState.Read(_config);
            change = now.DescribeChangeFrom(_last, _config.Reload.WatchConfig);
            complete = now.IsCompleteChangeFrom(_last, _config.Reload.WatchConfig);
            if (change is not null)
            {
                Log.ChangeSeen(_logger, change, _last.ToString(), now.ToString());
            }

            _last = now;
        }

        if (change is not null)
        {
            _debouncer.Signal(change, complete);
        }
    }

    /// <summary>
    /// Takes what is on disk now as the state changes are measured from, without reporting a change: a reload is about to
    /// read it (<see cref="ReloadCoordinator.BeforeInputsRead"/>). A change made after this is seen as usual.
    /// </summary>
    public void Rebase()
    {
        lock (_lock)
        {
            _last = WatchedState.Read(_config);
        }
    }

    private void TryWatch(string folder)
    {
        try
        {
            var watcher = new FileSystemWatcher(folder)
            {
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Attributes | NotifyFilters.Size,
                IncludeSubdirectories = false,
            };
            watcher.Changed += (_, _) => Check();
            watcher.Created += (_, _) => Check();
            watcher.Deleted += (_, _) => Check();
            watcher.Renamed += (_, _) => Check();
            watcher.Error += (_, e) => OnWatcherError(watcher, e.GetException());
            watcher.EnableRaisingEvents = true;
            _watchers.Add(watcher);
        }
        catch (Exception ex) when (ex is IOException or ArgumentException or PlatformNotSupportedException)
        {
            Log.WatcherUnavailable(_logger, folder, ex.Message);
        }
    }

    /// <summary>The file watchers in use (for tests).</summary>
    internal IReadOnlyList<FileSystemWatcher> Watchers => _watchers;

    /// <summary>A watcher that fails (e.g. inotify's queue overflowed) is switched off; polling carries on alone.</summary>
    internal void OnWatcherError(FileSystemWatcher watcher, Exception error)
    {
        Log.WatcherUnavailable(_logger, watcher.Path, error.Message);
        watcher.EnableRaisingEvents = false;
        Check();
    }

    public void Dispose()
    {
        _poll?.Dispose();
        foreach (var watcher in _watchers)
        {
            watcher.Dispose();
        }

        _watchers.Clear();
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 61, EventName = "ReloadTriggerSeen", Level = LogLevel.Debug,
            Message = "Reload trigger: {Change} (was {Before}, now {After})")]
        public static partial void ChangeSeen(ILogger logger, string change, string before, string after);

        [LoggerMessage(EventId = 60, EventName = "WatcherUnavailable", Level = LogLevel.Warning,
            Message = "File watching of {Folder} stopped or is unavailable ({Error}); reload triggers are still noticed by polling")]
        public static partial void WatcherUnavailable(ILogger logger, string folder, string error);
    }
}
