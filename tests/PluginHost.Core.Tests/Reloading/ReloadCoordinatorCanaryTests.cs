using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using PluginHost.Core.Configuration;
using PluginHost.Core.Generations;
using PluginHost.Core.Releases;
using PluginHost.Core.Reloading;
using PluginHost.Core.Routing;

namespace PluginHost.Core.Tests.Reloading;

/// <summary>The coordinator's canary on real release folders and a real production link and history, without a server.</summary>
public sealed class ReloadCoordinatorCanaryTests : IDisposable
{
    private readonly ThreeReleases _releases = new("canary");
    private readonly CurrentGeneration _current = new();
    private readonly TrafficSplit _split = new();
    private readonly IGenerationRetirer _retirer = Substitute.For<IGenerationRetirer>();
    private readonly HostConfig _config;
    private readonly IGenerationBuilder _builder;

    public ReloadCoordinatorCanaryTests() => (_config, _builder) = (_releases.Config, _releases.Builder);

    [Fact]
    public async Task StartCanary_BuildsAndRoutesWithoutTouchingProduction()
    {
        await using var sut = CreateSut();
        var first = await sut.LoadFirstAsync();

        var result = await sut.StartCanaryAsync(new CanaryRequest("v2", 10, null), "test");

        Assert.Equal((true, SwapKinds.Built, 2L), (result.Ok, result.Swap, result.Generation));
        Assert.Same(first, _current.Value);
        Assert.Equal(("v2", 10.0), (_split.Active!.Generation.Release.Version, _split.Active.Target.Share));
        Assert.Equal("v1", Store().Production);
        Assert.Equal("v2", Store().ActiveCanary()?.To);
    }

    [Fact]
    public async Task StartCanary_OfAPreparedRelease_TakesItWithoutBuilding()
    {
        await using var sut = CreateSut();
        await sut.LoadFirstAsync();
        await sut.PrepareAsync("v2");
        _builder.ClearReceivedCalls();

        var result = await sut.StartCanaryAsync(new CanaryRequest("v2", 10, null), "test");

        Assert.Equal((SwapKinds.Prepared, 2L), (result.Swap, result.Generation));
        Assert.Empty(sut.Standbys);
        await _builder.DidNotReceiveWithAnyArgs().BuildAsync(default!, default, default!, default);
    }

    [Theory]
    [InlineData("v9", 10, "release 'v9' not found")]
    [InlineData("v1", 10, "already served to everyone")]
    [InlineData("v2", 100, "from 1% to 99%")]
    public async Task StartCanary_BadInput_FailsNamingTheCauseAndChangesNothing(string version, double share, string cause)
    {
        await using var sut = CreateSut();
        await sut.LoadFirstAsync();

        var result = await sut.StartCanaryAsync(new CanaryRequest(version, share, null), "test");

        Assert.False(result.Ok);
        Assert.Contains(cause, result.Error, StringComparison.Ordinal);
        Assert.Null(_split.Active);
        Assert.Null(Store().ActiveCanary());
    }

    [Fact]
    public async Task FlipToTheCanary_SwapsItInWithoutBuilding_AndKeepsTheOldAsStandby()
    {
        await using var sut = CreateSut();
        var first = await sut.LoadFirstAsync();
        var canary = await StartTenPercentOfV2Async(sut);

        Flip("v2");
        var result = await sut.ReloadAsync(new ReloadRequest("flip to v2"));

        Assert.Equal((true, SwapKinds.Canary), (result.Ok, result.Swap));
        Assert.Same(canary, _current.Value);
        Assert.Null(_split.Active);
        Assert.Same(first, sut.Standbys.Single().Generation);
        await _builder.DidNotReceiveWithAnyArgs().BuildAsync(default!, default, default);
    }

    [Fact]
    public async Task AdminFinish_WhoseFlipTheWatchersReloadAppliedFirst_AnswersWithThatReload_AndBuildsNothing()
    {
        await using var sut = CreateSut();
        await sut.LoadFirstAsync();
        var canary = await StartTenPercentOfV2Async(sut);

        var flippedSince = sut.BeforeFlip();
        Flip("v2");
        var watchers = await sut.ReloadAsync(new ReloadRequest("link flip seen"));
        var admins = await sut.ReloadAsync(new ReloadRequest("admin canary finish") { FlippedSince = flippedSince });

        Assert.Same(watchers, admins);
        Assert.Equal((true, SwapKinds.Canary), (admins.Ok, admins.Swap));
        Assert.Same(canary, _current.Value);
        Assert.DoesNotContain(sut.History, r => r.Trigger == "admin canary finish");
        await _builder.DidNotReceiveWithAnyArgs().BuildAsync(default!, default, default);
    }

    [Fact]
    public async Task AdminFinish_WhenNoReloadAppliedItsFlipYet_SwapsTheCanaryInItself()
    {
        await using var sut = CreateSut();
        await sut.LoadFirstAsync();
        var canary = await StartTenPercentOfV2Async(sut);

        var flippedSince = sut.BeforeFlip();
        Flip("v2");
        var result = await sut.ReloadAsync(new ReloadRequest("admin canary finish") { FlippedSince = flippedSince });

        Assert.Equal((true, SwapKinds.Canary, "admin canary finish"), (result.Ok, result.Swap, result.Trigger));
        Assert.Same(canary, _current.Value);
    }

    [Fact]
    public async Task Abort_RetiresTheCanaryAndLeavesProduction()
    {
        await using var sut = CreateSut();
        var first = await sut.LoadFirstAsync();
        await sut.StartCanaryAsync(new CanaryRequest("v2", 10, null), "test");
        var canary = _split.Active!.Generation;

        var result = await sut.AbortCanaryAsync("by a test", markBad: true);
        await sut.WhenRetiredAsync();

        Assert.Equal(("v1", 1L), (result!.Version, result.Generation));
        Assert.Null(_split.Active);
        Assert.Same(first, _current.Value);
        await _retirer.Received(1).RetireAsync(canary, Arg.Any<CancellationToken>());
        Assert.True(Store().IsBad("v2"));
        Assert.Null(Store().ActiveCanary());
        Assert.Null(await sut.AbortCanaryAsync("again"));
    }

    [Fact]
    public async Task ReloadOfTheServedRelease_RebuildsBoth_KeepingTheCanaryCounts()
    {
        await using var sut = CreateSut();
        await sut.LoadFirstAsync();
        await sut.StartCanaryAsync(new CanaryRequest("v2", 10, null), "test");
        var before = _split.Active!;
        before.Tally.Record(onCanary: true, 200, TimeSpan.FromMilliseconds(3));

        var result = await sut.ReloadAsync(new ReloadRequest("touch"));

        Assert.Equal((true, SwapKinds.Built), (result.Ok, result.Swap));
        Assert.Equal(3L, _current.Value!.Number);
        Assert.Equal(("v2", 4L), (_split.Active!.Generation.Release.Version, _split.Active.Generation.Number));
        Assert.Equal(1, _split.Active.Stats.Canary.Requests);
    }

    [Fact]
    public async Task ReloadDuringCanary_CanaryBuildFails_KeepsBothServing()
    {
        await using var sut = CreateSut();
        var first = await sut.LoadFirstAsync();
        await sut.StartCanaryAsync(new CanaryRequest("v2", 10, null), "test");
        var canary = _split.Active!;
        _builder.BuildAsync(Arg.Any<HostConfig>(), Arg.Any<long>(), Arg.Is<ResolvedRelease>(r => r.Version == "v2"), Arg.Any<CancellationToken>())
            .Returns<Task<Generation>>(_ => throw new GenerationBuildException("broken canary"));

        var result = await sut.ReloadAsync(new ReloadRequest("touch"));
        await sut.WhenRetiredAsync();

        Assert.False(result.Ok);
        Assert.Contains("broken canary", result.Error, StringComparison.Ordinal);
        Assert.Same(first, _current.Value);
        Assert.Same(canary, _split.Active);
        await _retirer.Received(1).RetireAsync(Arg.Is<Generation>(g => g.Number == 3), Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task AutoAbort_OverTheErrorRate_AbortsAndMarksBad()
    {
        var config = _config with { Canary = new CanaryConfig { MaxErrorRate = 5, MinRequests = 10 } };
        await using var sut = CreateSut(config);
        await sut.LoadFirstAsync();
        await sut.StartCanaryAsync(new CanaryRequest("v2", 10, null), "test");
        var route = _split.Active!;

        for (var i = 0; i < 10; i++)
        {
            route.Tally.Record(onCanary: true, 500, TimeSpan.Zero);
        }

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while ((_split.Active is not null || !Store().IsBad("v2")) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        Assert.Null(_split.Active);
        Assert.Contains("over canary.maxErrorRate 5%", Store().GetBadReason("v2"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Resume_StartsTheRecordedCanaryAgain_OrDropsIt()
    {
        Store().RecordCanary("v2", 25, "X-Canary=1");
        await using (var resumed = CreateSut())
        {
            await resumed.LoadFirstAsync();
            await resumed.ResumeCanaryAsync();

            Assert.Equal(("v2", 25.0, "X-Canary=1"), (_split.Active!.Target.Version, _split.Active.Target.Share, _split.Active.Target.Header?.ToString()));
        }

        Assert.Equal("v2", Store().ActiveCanary()?.To);
        await using var dropped = CreateSut(_config with { Canary = new CanaryConfig { OnRestart = CanaryRestart.Drop } });
        await dropped.LoadFirstAsync();
        await dropped.ResumeCanaryAsync();

        Assert.Null(_split.Active);
        Assert.Null(Store().ActiveCanary());
    }

    private ReloadCoordinator CreateSut(HostConfig? config = null)
    {
        config ??= _config;
        return new(config, _current, _builder, _retirer, new ReloadHooks(_ => config), new FakeTimeProvider(), NullLogger<ReloadCoordinator>.Instance,
            split: _split);
    }

    private ReleaseStore Store() => ReleaseStore.For(_config);

    private void Flip(string version) => _releases.Flip(version);

    /// <summary>Starts a 10 % canary of v2 and returns its generation; the builder's calls so far are forgotten.</summary>
    private async Task<Generation> StartTenPercentOfV2Async(ReloadCoordinator sut)
    {
        await sut.StartCanaryAsync(new CanaryRequest("v2", 10, null), "test");
        _builder.ClearReceivedCalls();
        return _split.Active!.Generation;
    }

    private static Generation Generation(long number, ResolvedRelease release) => ThreeReleases.Generation(number, release);

    public void Dispose() => _releases.Dispose();
}
