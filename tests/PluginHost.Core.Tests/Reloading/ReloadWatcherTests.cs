using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using PluginHost.Core.Configuration;
using PluginHost.Core.Releases;
using PluginHost.Core.Reloading;

namespace PluginHost.Core.Tests.Reloading;

/// <summary>The watcher against a real temp folder with real symlinks; time and the debouncer's target are faked.</summary>
public sealed class ReloadWatcherTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("pluginhost-watcher-").FullName;
    private readonly FakeTimeProvider _time = new();
    private readonly Action<string> _reload = Substitute.For<Action<string>>();
    private readonly Debouncer _debouncer;
    private readonly HostConfig _config;

    public ReloadWatcherTests()
    {
        Directory.CreateDirectory(Path.Combine(_root, "releases", "v1"));
        Directory.CreateDirectory(Path.Combine(_root, "releases", "v2"));
        SymlinkFlipper.Flip(Path.Combine(_root, "releases", "production"), "v1");
        File.WriteAllText(Path.Combine(_root, "config.yaml"), "apps: []");
        _config = new HostConfig
        {
            SourcePath = Path.Combine(_root, "config.yaml"),
            Releases = new ReleasesConfig { Root = Path.Combine(_root, "releases") },
            Reload = new ReloadConfig { Trigger = Path.Combine(_root, "releases", "reload.trigger"), PollInterval = TimeSpan.FromSeconds(1) },
        };
        _debouncer = new Debouncer(_time, TimeSpan.FromMilliseconds(100), _reload);
    }

    public void Dispose()
    {
        _debouncer.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    private ReloadWatcher CreateSut() => new(_config, _debouncer, _time, NullLogger<ReloadWatcher>.Instance);

    [Fact]
    public void Check_LinkFlipped_SignalsTheNewTarget()
    {
        using var sut = CreateSut();

        SymlinkFlipper.Flip(_config.ProductionLink, "v2");
        sut.Check();
        _time.Advance(Debouncer.SettleDelay);

        _reload.Received(1).Invoke("production symlink now points at v2");
    }

    [Fact]
    public void Check_LinkFlippedAndTriggerTouched_SignalsAtOnce()
    {
        using var sut = CreateSut();

        SymlinkFlipper.Flip(_config.ProductionLink, "v2");
        File.WriteAllText(_config.Reload.Trigger, "");
        sut.Check();

        _reload.Received(1).Invoke("production symlink now points at v2");
    }

    [Fact]
    public void Check_LinkFlippedWithAConfigChange_WaitsForTheSettleDelay()
    {
        using var sut = CreateSut();

        SymlinkFlipper.Flip(_config.ProductionLink, "v2");
        File.WriteAllText(_config.SourcePath, "apps: [] # being written");
        sut.Check();
        _reload.DidNotReceiveWithAnyArgs().Invoke(default!);
        _time.Advance(Debouncer.SettleDelay);

        _reload.Received(1).Invoke("production symlink now points at v2");
    }

    [Fact]
    public void Check_TriggerTouched_WaitsForTheSettleDelay()
    {
        using var sut = CreateSut();

        File.WriteAllText(_config.Reload.Trigger, "");
        sut.Check();
        _reload.DidNotReceiveWithAnyArgs().Invoke(default!);
        _time.Advance(Debouncer.SettleDelay);

        _reload.Received(1).Invoke("reload trigger touched");
    }

    [Fact]
    public void Check_NothingChanged_NeverSignals()
    {
        using var sut = CreateSut();

        for (var i = 0; i < 5; i++)
        {
            sut.Check();
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        _reload.DidNotReceiveWithAnyArgs().Invoke(default!);
    }

    [Fact]
    public void Rebase_FlipMadeBefore_IsNoChangeButAFlipAfterIs()
    {
        using var sut = CreateSut();

        SymlinkFlipper.Flip(_config.ProductionLink, "v2");
        sut.Rebase();
        sut.Check();
        _time.Advance(TimeSpan.FromSeconds(1));
        _reload.DidNotReceiveWithAnyArgs().Invoke(default!);

        SymlinkFlipper.Flip(_config.ProductionLink, "v1");
        sut.Check();
        _time.Advance(Debouncer.SettleDelay);
        _reload.Received(1).Invoke("production symlink now points at v1");
    }

    [Fact]
    public void Check_SameChangeSeenTwice_SignalsOnce()
    {
        using var sut = CreateSut();
        File.WriteAllBytes(_config.Reload.Trigger, []);

        sut.Check();
        sut.Check();
        _time.Advance(TimeSpan.FromSeconds(1));
        sut.Check();

        _reload.Received(1).Invoke("reload trigger touched");
    }

    [Fact]
    public void Poll_WithoutFileEvents_NoticesAFlipWithinThePollInterval()
    {
        using var sut = new ReloadWatcher(_config with { Reload = _config.Reload with { WatchFiles = false } }, _debouncer, _time, NullLogger<ReloadWatcher>.Instance);
        sut.Start();

        SymlinkFlipper.Flip(_config.ProductionLink, "v2");
        _time.Advance(_config.Reload.PollInterval);
        _time.Advance(Debouncer.SettleDelay);

        _reload.Received(1).Invoke("production symlink now points at v2");
    }

    [Fact]
    public void Poll_AfterEveryWatcherFailed_StillNoticesAFlip()
    {
        using var sut = CreateSut();
        sut.Start();
        Assert.NotEmpty(sut.Watchers);

        foreach (var watcher in sut.Watchers)
        {
            sut.OnWatcherError(watcher, new InternalBufferOverflowException("inotify queue overflowed"));
        }

        _time.Advance(Debouncer.SettleDelay);
        _reload.ClearReceivedCalls();
        SymlinkFlipper.Flip(_config.ProductionLink, "v2");
        _time.Advance(_config.Reload.PollInterval);
        _time.Advance(Debouncer.SettleDelay);

        Assert.All(sut.Watchers, w => Assert.False(w.EnableRaisingEvents));
        _reload.Received(1).Invoke("production symlink now points at v2");
    }

    [Fact]
    public void Poll_ChangeAlreadySignalled_IsNeverSignalledAgain()
    {
        // The watcher acts on changes, not on reload results: a release that failed to load is not retried in a loop.
        using var sut = new ReloadWatcher(_config with { Reload = _config.Reload with { WatchFiles = false } }, _debouncer, _time, NullLogger<ReloadWatcher>.Instance);
        sut.Start();

        SymlinkFlipper.Flip(_config.ProductionLink, "v2");
        for (var i = 0; i < 20; i++)
        {
            _time.Advance(_config.Reload.PollInterval);
        }

        _reload.Received(1).Invoke("production symlink now points at v2");
    }

    [Fact]
    public void Check_ConfigChangedButNotWatched_DoesNotSignal()
    {
        using var sut = new ReloadWatcher(_config with { Reload = _config.Reload with { WatchConfig = false } }, _debouncer, _time, NullLogger<ReloadWatcher>.Instance);

        File.WriteAllText(_config.SourcePath, "apps: [] # edited, and longer");
        sut.Check();
        _time.Advance(TimeSpan.FromSeconds(1));

        _reload.DidNotReceiveWithAnyArgs().Invoke(default!);
    }
}
