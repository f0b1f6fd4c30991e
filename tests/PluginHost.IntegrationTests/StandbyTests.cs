using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using PluginHost.Core.Generations;
using PluginHost.Core.Reloading;
using PluginHost.IntegrationTests.Infrastructure;

namespace PluginHost.IntegrationTests;

/// <summary>
/// Issue 15: the generation a promote replaced stays warm (reload.keepPrevious), so a rollback swaps back to it without
/// loading anything; 'promote --prepare' builds a release ahead so its promote swaps instantly; a standby whose folder
/// changed is built again; every standby that is let go is verified collected.
/// </summary>
public sealed class StandbyTests : HostedTest
{
    protected override bool UseConfigUrls => true;

    protected override void Arrange() => Releases.ArrangeTwoSampleReleasesOnAFixedPort();

    [Fact]
    public async Task Rollback_AfterPromote_IsServedByTheStandbyWithoutALoadAndFailsNoRequest()
    {
        var promote = await CliRunner.RunAsync(Releases, "promote", "v2");
        await WaitServedAsync("v2");
        var standby = Assert.Single(Host.Coordinator.Standbys);
        var (standbyNumber, standbyVersion, standbyRole) = (standby.Generation.Number, standby.Generation.Release.Version, standby.Role);
        standby = null;
        var loadsBefore = Loaded().Count;
        var failures = new ConcurrentQueue<string>();
        using var stop = new CancellationTokenSource();
        var clients = Enumerable.Range(0, 8).Select(_ => Task.Run(() => RequestContinuouslyAsync(failures, stop.Token))).ToList();

        var reloadsBefore = Host.Coordinator.History.Count;
        var rollback = await CliRunner.RunAsync(Releases, "rollback");
        await WaitServedAsync("v1");
        // The new generation serves a moment before the coordinator records the reload's result (LastResult below).
        await Host.WaitForReloadResultAsync(reloadsBefore, "the rollback's reload recorded");
        await stop.CancelAsync();
        await Task.WhenAll(clients);

        Assert.True(promote.ExitCode == 0 && rollback.ExitCode == 0, promote.Error + rollback.Error);
        Assert.Equal(("v1", StandbyRole.Previous), (standbyVersion, standbyRole));
        Assert.True(standbyNumber == Host.GenerationNumber, $"the rollback served generation {Host.GenerationNumber}, not the standby {standbyNumber}: {ReloadStory()}");
        Assert.Equal(standbyNumber, (await Host.GetJsonAsync("/api/v1/version")).GetProperty("generation").GetInt64());
        Assert.Equal(SwapKinds.Standby, Host.Coordinator.LastResult!.Swap);
        Assert.Equal(loadsBefore, Loaded().Count);
        Assert.Empty(failures);
        // After the rollback the history names no target v2 could be: the host lets the v2 generation go, and it unloads.
        await Eventually.WaitAsync(() => Host.Coordinator.Standbys.Count == 0, "the v2 standby let go once it was no rollback target");
        Assert.Empty(await Host.CollectRetiredAsync());
    }

    [Fact]
    public async Task PreparedPromote_SwapsToThePreparedGenerationWithoutBuilding()
    {
        var prepare = await CliRunner.RunAsync(Releases, "promote", "v2", "--prepare");
        // Numbers only: a test that held the Generation would keep its contexts alive after it retired.
        var (number, role) = Prepared();
        var validate = await CliRunner.RunAsync(Releases, "validate", "v2");
        var loadsBefore = Loaded().Count;

        var reloadsBefore = Host.Coordinator.History.Count;
        var promote = await CliRunner.RunAsync(Releases, "promote", "v2");
        await WaitServedAsync("v2");
        // Until the promote's reload is recorded, LastResult is the prepare's (swap: built).
        await Host.WaitForReloadResultAsync(reloadsBefore, "the promote's reload recorded");

        Assert.True(prepare.ExitCode == 0, prepare.Error);
        Assert.Contains($"prepared: 'v2' generation {number}", prepare.Out, StringComparison.Ordinal);
        Assert.Equal(StandbyRole.Prepared, role);
        Assert.Contains("on promote: the running host holds 'v2' prepared", validate.Out, StringComparison.Ordinal);
        Assert.True(promote.ExitCode == 0, promote.Error);
        Assert.Contains("not validated again", promote.Out, StringComparison.Ordinal);
        Assert.Equal(number, Host.GenerationNumber);
        Assert.Equal(SwapKinds.Prepared, Host.Coordinator.LastResult!.Swap);
        Assert.Equal(loadsBefore, Loaded().Count);
        Assert.Equal(("v1", StandbyRole.Previous), Standby());
        await Host.Coordinator.StopAsync();
        Assert.Empty(await Host.CollectRetiredAsync());
    }

    [Fact]
    public async Task StandbyWhoseFolderChanged_IsUnloadedAndTheRollbackBuildsAgain()
    {
        Releases.Promote("v2");
        await WaitServedAsync("v2");
        var standby = Assert.Single(Host.Coordinator.Standbys).Generation.Number;

        Releases.ReplaceFile("v1", "ReportingApi", Path.Combine(RepoPaths.PluginBuild("ReportingApi.Aggregation.V2"), "ReportingApi.Aggregation.dll"));
        await Eventually.WaitAsync(() => Host.Coordinator.Standbys.Count == 0, "the standby let go after its folder changed");
        Releases.Promote("v1");
        await WaitServedAsync("v1");
        var served = await Host.GetJsonAsync("/api/v1/version");

        Assert.NotEqual(standby, Host.GenerationNumber);
        Assert.Equal(SwapKinds.Built, Host.Coordinator.LastResult!.Swap);
        Assert.Equal("sum-v2", served.GetProperty("aggregation").GetProperty("algorithm").GetString());
        Assert.Contains(Host.Logs.Events, e => CollectingSink.EventName(e) == "StandbyDiscarded" && CollectingSink.Property(e, "Generation") == $"{standby}"
            && CollectingSink.Property(e, "Reason")!.Contains("release folder", StringComparison.Ordinal));
        Assert.Empty(await Host.CollectRetiredAsync());
    }

    [Fact]
    public async Task Reload_OfTheServedRelease_UnloadsTheStandby()
    {
        Releases.Promote("v2");
        await WaitServedAsync("v2");
        var before = Host.GenerationNumber;

        Releases.Touch();
        await Host.WaitForGenerationAsync(before, "the reload of v2");

        Assert.Empty(Host.Coordinator.Standbys);
        Assert.Empty(await Host.CollectRetiredAsync());
        Assert.True(Host.Tracker.CollectedCount >= 4, $"collected {Host.Tracker.CollectedCount} app contexts: the standby's 2 and the first v2's 2");
    }

    [Fact]
    public async Task Prepare_UnknownVersion_AnswersOneLineNamingTheReleasesRoot()
    {
        using var response = await Host.Client.PostAsync("/_pluginhost/prepare?version=v9", null);
        var result = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal($"release 'v9' not found in {Releases.ReleasesRoot}; available: v1, v2", result.GetProperty("error").GetString());
        Assert.Empty(Host.Coordinator.Standbys);
    }

    private (long Number, StandbyRole Role) Prepared()
    {
        var standby = Assert.Single(Host.Coordinator.Standbys);
        return (standby.Generation.Number, standby.Role);
    }

    private (string Version, StandbyRole Role) Standby()
    {
        var standby = Assert.Single(Host.Coordinator.Standbys);
        return (standby.Generation.Release.Version, standby.Role);
    }

    private List<string> Loaded() =>
        [.. Host.Logs.Events.Where(e => CollectingSink.EventName(e) == "AppLoaded").Select(e => e.RenderMessage())];

    private Task WaitServedAsync(string version) =>
        Eventually.WaitAsync(async () => Host.Current.Value?.Release.Version == version && await Host.VersionServedAsync() == version, $"{version} served");

    private async Task RequestContinuouslyAsync(ConcurrentQueue<string> failures, CancellationToken cancellationToken)
    {
        using var client = new HttpClient { BaseAddress = Host.Address };
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                using var response = await client.GetAsync("/api/v1/version", CancellationToken.None);
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    failures.Enqueue($"{(int)response.StatusCode}");
                }
            }
            catch (HttpRequestException ex)
            {
                failures.Enqueue(ex.Message);
            }
        }
    }

    /// <summary>The host's reloads and what it said about standbys, for a failure message.</summary>
    private string ReloadStory() =>
        string.Join("; ", Host.Coordinator.History.Reverse().Select(r => $"{r.Trigger} -> {r.Version} #{r.Generation} ({r.Swap ?? r.Error})"))
        + " | " + string.Join("; ", Host.Logs.Messages.Where(m => m.Contains("standby", StringComparison.OrdinalIgnoreCase) || m.Contains("Serving", StringComparison.Ordinal)));
}
