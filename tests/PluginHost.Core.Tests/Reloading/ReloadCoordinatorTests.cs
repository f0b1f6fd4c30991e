using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using PluginHost.Core.Configuration;
using PluginHost.Core.Generations;
using PluginHost.Core.Reloading;
using PluginHost.Core.Tests.Generations;

namespace PluginHost.Core.Tests.Reloading;

public sealed class ReloadCoordinatorTests
{
    private readonly HostConfig _config = new() { SourcePath = "/srv/config.yaml" };
    private readonly CurrentGeneration _current = new();
    private readonly IGenerationBuilder _builder = Substitute.For<IGenerationBuilder>();
    private readonly IGenerationRetirer _retirer = Substitute.For<IGenerationRetirer>();
    private readonly Func<string, HostConfig> _loadConfig = Substitute.For<Func<string, HostConfig>>();
    private readonly Action<string, string> _onFailed = Substitute.For<Action<string, string>>();

    public ReloadCoordinatorTests()
    {
        _loadConfig.Invoke(Arg.Any<string>()).Returns(_config);
        _builder.BuildAsync(Arg.Any<HostConfig>(), Arg.Any<long>(), Arg.Any<CancellationToken>())
            .Returns(call => GenerationTests.Empty(call.ArgAt<long>(1)));
    }

    private ReloadCoordinator CreateSut() =>
        new(_config, _current, _builder, _retirer, new ReloadHooks(_loadConfig, _onFailed), new FakeTimeProvider(), NullLogger<ReloadCoordinator>.Instance);

    [Fact]
    public async Task LoadFirstAsync_BuildFails_ThrowsWithTheError()
    {
        _builder.BuildAsync(Arg.Any<HostConfig>(), 1, Arg.Any<CancellationToken>()).Returns<Generation>(_ => throw new GenerationBuildException("app 'A': a.dll: assembly not found"));
        await using var sut = CreateSut();

        var error = await Assert.ThrowsAsync<GenerationBuildException>(() => sut.LoadFirstAsync());

        Assert.Contains("assembly not found", error.Message);
        Assert.Null(_current.Value);
    }

    [Fact]
    public async Task ReloadAsync_Success_SwapsAndRetiresTheOldGeneration()
    {
        await using var sut = CreateSut();
        var first = await sut.LoadFirstAsync();

        var result = await sut.ReloadAsync(new ReloadRequest("touch"));
        await sut.WhenRetiredAsync();

        Assert.True(result.Ok);
        Assert.Equal(2, result.Generation);
        Assert.Equal(2, _current.Value!.Number);
        await _retirer.Received(1).RetireAsync(first, Arg.Any<CancellationToken>());
        _loadConfig.Received(1).Invoke("/srv/config.yaml");
    }

    [Fact]
    public async Task ReloadAsync_BuildFails_KeepsServingAndRecordsTheError()
    {
        await using var sut = CreateSut();
        var first = await sut.LoadFirstAsync();
        _builder.BuildAsync(Arg.Any<HostConfig>(), 2, Arg.Any<CancellationToken>()).Returns<Generation>(_ => throw new GenerationBuildException("app 'A': boom", "v2"));

        var result = await sut.ReloadAsync(new ReloadRequest("flip"));

        Assert.False(result.Ok);
        Assert.Equal("app 'A': boom", result.Error);
        Assert.Same(first, _current.Value);
        Assert.Same(result, sut.LastResult);
        await _retirer.DidNotReceiveWithAnyArgs().RetireAsync(default!, default);
        _onFailed.Received(1).Invoke("v2", "app 'A': boom");
        var next = await sut.ReloadAsync(new ReloadRequest("touch"));
        Assert.Equal((true, 3L), (next.Ok, next.Generation));
    }

    [Fact]
    public async Task ReloadAsync_BuildFailsOutsideTheRelease_DoesNotReportTheReleaseFailed()
    {
        await using var sut = CreateSut();
        await sut.LoadFirstAsync();
        _builder.BuildAsync(Arg.Any<HostConfig>(), 2, Arg.Any<CancellationToken>()).Returns<Generation>(_ => throw new GenerationBuildException("app 'A': users: missing"));

        var result = await sut.ReloadAsync(new ReloadRequest("touch"));

        Assert.False(result.Ok);
        _onFailed.DidNotReceiveWithAnyArgs().Invoke(default!, default!);
    }

    [Fact]
    public async Task ReloadAsync_InvalidConfig_KeepsServingWithTheOldConfig()
    {
        await using var sut = CreateSut();
        var first = await sut.LoadFirstAsync();
        _loadConfig.Invoke(Arg.Any<string>()).Returns(_ => throw new ConfigException([new ConfigError("config.yaml", 3, "apps", "bad")]));

        var result = await sut.ReloadAsync(new ReloadRequest("config file changed"));

        Assert.False(result.Ok);
        Assert.Contains("config.yaml:3", result.Error);
        Assert.Same(first, _current.Value);
        Assert.Same(_config, sut.Config);
        _onFailed.DidNotReceiveWithAnyArgs().Invoke(default!, default!);
        await _builder.DidNotReceive().BuildAsync(Arg.Any<HostConfig>(), 2, Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task ReloadAsync_ConfigChangedOutsideApps_AppliesOnlyTheApps()
    {
        var apps = new[] { new AppConfig { Name = "A", Mount = "/a", Assembly = "A/A.dll" } };
        _loadConfig.Invoke(Arg.Any<string>()).Returns(_config with
        {
            Apps = apps,
            Server = new ServerConfig { Urls = ["http://127.0.0.1:9999"] },
            Reload = new ReloadConfig { Debounce = TimeSpan.FromSeconds(5) },
        });
        await using var sut = CreateSut();
        await sut.LoadFirstAsync();

        var result = await sut.ReloadAsync(new ReloadRequest("config file changed"));

        Assert.True(result.Ok);
        Assert.Same(apps, sut.Config.Apps);
        Assert.Same(_config.Server, sut.Config.Server);
        Assert.Same(_config.Reload, sut.Config.Reload);
        await _builder.Received(1).BuildAsync(Arg.Is<HostConfig>(c => c.Apps == apps && c.Server == _config.Server), 2, Arg.Any<CancellationToken>());
    }

    [Fact]
    public void Changed_SectionsOutsideApps_NamesEachOne()
    {
        var running = new HostConfig { SourcePath = "/srv/config.yaml" };
        var reloaded = running with
        {
            Server = new ServerConfig { Urls = ["http://127.0.0.1:9999"] },
            Admin = new AdminConfig { Allow = ["10.0.0.0/8"] },
            Apps = [new AppConfig { Name = "A", Mount = "/a", Assembly = "A/A.dll" }],
        };

        Assert.Equal(["server", "admin"], StartupOnlySettings.Changed(running, reloaded));
        Assert.Empty(StartupOnlySettings.Changed(running, running with { Server = new ServerConfig(), Admin = new AdminConfig() }));
    }

    [Fact]
    public async Task RequestReload_BurstDuringAReload_RunsExactlyOneMoreAfterIt()
    {
        var building = new TaskCompletionSource();
        var release = new TaskCompletionSource();
        await using var sut = CreateSut();
        await sut.LoadFirstAsync();
        _builder.BuildAsync(Arg.Any<HostConfig>(), 2, Arg.Any<CancellationToken>()).Returns(async call =>
        {
            building.SetResult();
            await release.Task;
            return GenerationTests.Empty(2);
        });

        sut.RequestReload("first");
        await building.Task.WaitAsync(TimeSpan.FromSeconds(5));
        for (var i = 0; i < 10; i++)
        {
            sut.RequestReload($"during {i}");
        }

        release.SetResult();
        await WaitForAsync(() => sut.History.Count >= 3);
        var newest = sut.History[0];
        await sut.StopAsync();

        Assert.Equal(3, sut.History.Count);
        Assert.Equal((true, 3L), (newest.Ok, newest.Generation));
    }

    [Fact]
    public async Task RequestReload_SeenBeforeTheLastReloadStarted_IsNotReloadedAgain()
    {
        var time = new FakeTimeProvider();
        await using var sut = new ReloadCoordinator(_config, _current, _builder, _retirer, new ReloadHooks(_loadConfig, _onFailed), time,
            NullLogger<ReloadCoordinator>.Instance);
        await sut.LoadFirstAsync();
        var seenBefore = time.GetTimestamp();
        time.Advance(TimeSpan.FromMilliseconds(1));
        sut.RequestReload("flipped", time.GetTimestamp());
        await WaitForAsync(() => sut.History.Count >= 2);

        sut.RequestReload("touched before that reload started", seenBefore);
        await WaitForAsync(() => sut.AlreadyApplied == 1);
        time.Advance(TimeSpan.FromMilliseconds(1));
        sut.RequestReload("touched later", time.GetTimestamp());
        await WaitForAsync(() => sut.History.Count >= 3);
        await sut.StopAsync();

        Assert.Equal(["touched later", "flipped", "startup"], sut.History.Select(r => r.Trigger));
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met in time");
            await Task.Delay(5);
        }
    }
}
