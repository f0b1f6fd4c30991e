using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using PluginHost.Core.Configuration;
using PluginHost.Core.Generations;
using PluginHost.Core.Releases;
using PluginHost.Core.Reloading;

namespace PluginHost.Core.Tests.Reloading;

/// <summary>The warm standby and prepared generations of the coordinator, on real release folders and a real production link.</summary>
public sealed class ReloadCoordinatorStandbyTests : IDisposable
{
    private readonly ThreeReleases _releases = new("standby");
    private readonly CurrentGeneration _current = new();
    private readonly IGenerationRetirer _retirer = Substitute.For<IGenerationRetirer>();
    private readonly string _root;
    private readonly HostConfig _config;
    private readonly IGenerationBuilder _builder;

    public ReloadCoordinatorStandbyTests() => (_root, _config, _builder) = (_releases.Root, _releases.Config, _releases.Builder);

    [Fact]
    public async Task Reload_BackToTheReplacedRelease_SwapsInTheStandbyWithoutBuilding()
    {
        await using var sut = CreateSut();
        var first = await sut.LoadFirstAsync();
        Flip("v2");
        await sut.ReloadAsync(new ReloadRequest("flip to v2"));
        _builder.ClearReceivedCalls();

        Flip("v1");
        var result = await sut.ReloadAsync(new ReloadRequest("flip back to v1"));

        Assert.Equal((true, SwapKinds.Standby, 1L), (result.Ok, result.Swap, result.Generation));
        Assert.Same(first, _current.Value);
        await _builder.DidNotReceiveWithAnyArgs().BuildAsync(default!, default, default);
        Assert.Equal(("v2", StandbyRole.Previous), (sut.Standbys.Single().Generation.Release.Version, sut.Standbys.Single().Role));
    }

    [Fact]
    public async Task Reload_StandbyFilesChanged_BuildsAndRetiresTheStaleStandby()
    {
        await using var sut = CreateSut();
        var first = await sut.LoadFirstAsync();
        Flip("v2");
        await sut.ReloadAsync(new ReloadRequest("flip to v2"));
        File.AppendAllText(Path.Combine(_root, "releases", "v1", "App", "App.dll"), " changed");

        Flip("v1");
        var result = await sut.ReloadAsync(new ReloadRequest("flip back to v1"));
        await sut.WhenRetiredAsync();

        Assert.Equal((SwapKinds.Built, 3L), (result.Swap, result.Generation));
        await _retirer.Received(1).RetireAsync(first, Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task Reload_OfTheServedRelease_RetiresTheStandby()
    {
        await using var sut = CreateSut();
        var first = await sut.LoadFirstAsync();
        Flip("v2");
        await sut.ReloadAsync(new ReloadRequest("flip to v2"));

        var result = await sut.ReloadAsync(new ReloadRequest("reload trigger touched"));
        await sut.WhenRetiredAsync();

        Assert.Equal((SwapKinds.Built, 3L), (result.Swap, result.Generation));
        Assert.Empty(sut.Standbys);
        await _retirer.Received(1).RetireAsync(first, Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task Reload_KeepPreviousOff_RetiresTheReplacedGeneration()
    {
        await using var sut = CreateSut(_config with { Reload = _config.Reload with { KeepPrevious = false } });
        var first = await sut.LoadFirstAsync();
        Flip("v2");

        await sut.ReloadAsync(new ReloadRequest("flip to v2"));
        await sut.WhenRetiredAsync();

        Assert.Empty(sut.Standbys);
        await _retirer.Received(1).RetireAsync(first, Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task PrepareAsync_ThenFlip_SwapsInThePreparedGenerationAndKeepsTheReplacedOne()
    {
        await using var sut = CreateSut();
        await sut.LoadFirstAsync();

        var prepared = await sut.PrepareAsync("v3");
        Flip("v3");
        var result = await sut.ReloadAsync(new ReloadRequest("flip to v3"));

        Assert.Equal((true, SwapKinds.Built, 2L), (prepared.Ok, prepared.Swap, prepared.Generation));
        Assert.Equal((SwapKinds.Prepared, 2L), (result.Swap, result.Generation));
        Assert.Equal(("v1", StandbyRole.Previous), (sut.Standbys.Single().Generation.Release.Version, sut.Standbys.Single().Role));
    }

    [Theory]
    [InlineData("v9", "release 'v9' not found in")]
    [InlineData("v1", "release 'v1' is already served")]
    public async Task PrepareAsync_VersionThatCannotBePrepared_FailsWithOneLineNamingIt(string version, string error)
    {
        await using var sut = CreateSut();
        await sut.LoadFirstAsync();

        var result = await sut.PrepareAsync(version);

        Assert.False(result.Ok);
        Assert.StartsWith(error, result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', result.Error!);
        Assert.Empty(sut.Standbys);
    }

    [Fact]
    public async Task CheckStandbys_NoLongerTheRollbackTarget_RetiresIt()
    {
        var isTarget = true;
        await using var sut = CreateSut(hooks: new ReloadHooks(_ => _config) { IsRollbackTarget = (_, _, _) => isTarget });
        var first = await sut.LoadFirstAsync();
        Flip("v2");
        await sut.ReloadAsync(new ReloadRequest("flip to v2"));

        sut.CheckStandbys();
        var kept = sut.Standbys.Count;
        isTarget = false;
        sut.CheckStandbys();
        await sut.WhenRetiredAsync();

        Assert.Equal(1, kept);
        Assert.Empty(sut.Standbys);
        await _retirer.Received(1).RetireAsync(first, Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task CheckStandbys_BetweenARollbackFlipAndItsReload_KeepsTheStandbyTheReloadSwapsIn()
    {
        // As in production: the first release was linked by hand (no history entry), then the CLI's promote and rollback,
        // with the host's own rollback-target rule reading the real history.
        var store = ReleaseStore.For(_config);
        await using var sut = CreateSut(hooks: new ReloadHooks(_ => _config) { IsRollbackTarget = RollbackTargets.IsStillTarget });
        var first = await sut.LoadFirstAsync();
        store.Promote("v2");
        await sut.ReloadAsync(new ReloadRequest("flip to v2"));
        sut.CheckStandbys();
        var keptAfterPromote = sut.Standbys.Select(s => s.Generation.Release.Version).ToList();

        // The link is back on v1 and the history says so; the watcher's reload has not run yet when the periodic check does.
        store.Rollback();
        sut.CheckStandbys();
        var keptBeforeTheReload = sut.Standbys.Select(s => s.Generation.Release.Version).ToList();
        var result = await sut.ReloadAsync(new ReloadRequest("flip back to v1"));
        // v2 is no rollback target once the rollback walked back past it: that standby goes.
        sut.CheckStandbys();
        await sut.WhenRetiredAsync();

        Assert.Equal(["v1"], keptAfterPromote);
        Assert.Equal(["v1"], keptBeforeTheReload);
        Assert.Equal((true, SwapKinds.Standby, 1L), (result.Ok, result.Swap, result.Generation));
        Assert.Same(first, _current.Value);
        Assert.Empty(sut.Standbys);
        await _retirer.DidNotReceive().RetireAsync(first, Arg.Any<CancellationToken>());
        await _retirer.Received(1).RetireAsync(Arg.Is<Generation>(g => g.Number == 2), Arg.Any<CancellationToken>());
    }

    [Fact]
    public void RollbackTarget_JudgedOnTheLinkReadBeforeTheHistory_KeepsTheStandbyAFlipInBetweenLeadsTo()
    {
        // The periodic check read the link (v2) just before a rollback wrote its history entry and flipped the link to v1;
        // only then does it read the history. The standby of v1 is what the rollback's reload is about to swap in.
        var store = ReleaseStore.For(_config);
        store.Promote("v2");
        store.Rollback();

        Assert.True(RollbackTargets.IsStillTarget(_config, "v1", production: "v2"));
        // Once the link read shows the rollback done, the history is judged: v2 is behind the rollback, no target any more.
        Assert.False(RollbackTargets.IsStillTarget(_config, "v2", production: "v1"));
    }

    private ReloadCoordinator CreateSut(HostConfig? config = null, ReloadHooks? hooks = null)
    {
        config ??= _config;
        return new(config, _current, _builder, _retirer, hooks ?? new ReloadHooks(_ => config), new FakeTimeProvider(), NullLogger<ReloadCoordinator>.Instance);
    }

    private void Flip(string version) => _releases.Flip(version);

    private static Generation Generation(long number, ResolvedRelease release) => ThreeReleases.Generation(number, release);

    public void Dispose() => _releases.Dispose();
}
