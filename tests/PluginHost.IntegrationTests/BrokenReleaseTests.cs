using System.Collections.Concurrent;
using System.Net;
using PluginHost.IntegrationTests.Infrastructure;

namespace PluginHost.IntegrationTests;

/// <summary>Issue 3: a broken release never takes the site down; the error is recorded and a later good release loads.</summary>
public sealed class BrokenReleaseTests : HostedTest
{
    protected override void Arrange()
    {
        Releases.CreateSampleRelease("v1");
        Releases.CreateSampleRelease("v2", aggregation: "ReportingApi.Aggregation.V2");
        Releases.Promote("v1");
        Releases.WriteSampleConfig();
    }

    /// <summary>Each broken test plugin, the cause its failure must name, and whether a context was created before it failed.</summary>
    public static TheoryData<string, string, bool> BrokenApps => new()
    {
        { "ThrowsOnConfigure", "Configure threw InvalidOperationException", true },
        { "ThrowsOnConfigureServices", "ConfigureServices threw", true },
        { "ThrowsInConstructor", "constructor of", true },
        { "NotReady", "IsReadyAsync returned false", true },
        { "IncompatibleContract", "built against PluginHost.Abstractions 2.", false },
    };

    [Theory]
    [MemberData(nameof(BrokenApps))]
    public async Task Release_WithABrokenApp_KeepsServingTheOldGenerationUntilAGoodRelease(string project, string cause, bool hadContext)
    {
        Releases.CreateSampleRelease("broken");
        Releases.CreateRelease("broken", ("Extra", project));

        await AssertOldKeepsServingWithAppsAsync("broken", $"""
                  - name: Extra
                    mount: /extra
                    assembly: Extra/{project}.dll
                """, expectedError: $"app 'Extra': {Path.Combine(Releases.ReleasesRoot, "broken", "Extra", project)}.dll: {cause}");

        // The broken app's own half-built context is verified to unload too, not only those of the apps built before it.
        Assert.Equal(hadContext, UnloadLogged("Extra", "broken"));
        await AssertGoodReleaseLoadsAfterwardsAsync();
    }

    [Fact]
    public async Task Release_WarmupThatHangs_FailsAfterTheWarmupTimeoutAndLaterReloadsWork()
    {
        Releases.CreateSampleRelease("hangs");
        Releases.CreateRelease("hangs", ("Extra", "SlowRequest"));

        await AssertOldKeepsServingWithAppsAsync("hangs", """
                  - name: Extra
                    mount: /extra
                    assembly: Extra/SlowRequest.dll
                    warmup: [/slow?ms=600000]
                    warmupTimeout: 1s
                """, expectedError: "warm-up did not finish within 1 s");

        await AssertGoodReleaseLoadsAfterwardsAsync();
    }

    [Fact]
    public async Task Release_OneAppFailsWhileAnotherWarmsUp_FailsAtOnceNamingTheBrokenApp()
    {
        // Apps build side by side and the first failure cancels the rest: built one after the other, this reload
        // would wait out the first app's ten-minute warm-up before reaching the broken one.
        Releases.CreateSampleRelease("broken");
        Releases.CreateRelease("broken", ("Slow", "SlowRequest"), ("Broken", "ThrowsOnConfigure"));

        await AssertOldKeepsServingWithAppsAsync("broken", """
                  - name: Slow
                    mount: /slow
                    assembly: Slow/SlowRequest.dll
                    warmup: [/slow?ms=600000]
                    warmupTimeout: 10m
                  - name: Broken
                    mount: /broken
                    assembly: Broken/ThrowsOnConfigure.dll
                """, expectedError: "app 'Broken': ");

        Assert.DoesNotContain("Slow", Host.Coordinator.LastResult!.Error, StringComparison.Ordinal);
        Assert.True(UnloadLogged("Slow", "broken"), "the cancelled app's context was not verified unloaded");
        await AssertGoodReleaseLoadsAfterwardsAsync();
    }

    [Fact]
    public async Task Release_MissingAnAppAssembly_KeepsServingWithoutABadMark()
    {
        Releases.CreateSampleRelease("broken");
        File.Delete(Path.Combine(Releases.ReleasesRoot, "broken", "WebApp", "WebApp.dll"));

        await AssertOldKeepsServingAsync(() => Releases.Promote("broken"), expectedError: "assembly not found");

        // The missing file is the one config.yaml names (apps[].assembly): that may be a typo in config, so the release
        // is not marked bad for it (issue 12); validate/promote refuse such a release before it gets here anyway.
        var history = Path.Combine(Releases.ReleasesRoot, "history.log");
        Assert.DoesNotContain("\"action\":\"bad\"", File.Exists(history) ? await File.ReadAllTextAsync(history) : "");
        await AssertGoodReleaseLoadsAfterwardsAsync();
    }

    [Fact]
    public async Task Release_MissingAPrivateDependency_MarkedBad()
    {
        Releases.CreateSampleRelease("broken");
        File.Delete(Path.Combine(Releases.ReleasesRoot, "broken", "ReportingApi", "ReportingApi.Aggregation.dll"));

        await AssertOldKeepsServingAsync(() => Releases.Promote("broken"), expectedError: "ReportingApi.Aggregation");

        var history = await File.ReadAllTextAsync(Path.Combine(Releases.ReleasesRoot, "history.log"));
        Assert.Contains("\"action\":\"bad\"", history);
        Assert.Contains("\"to\":\"broken\"", history);
    }

    [Fact]
    public async Task Release_MissingAPrivateDependency_KeepsServing()
    {
        Releases.CreateSampleRelease("broken");
        File.Delete(Path.Combine(Releases.ReleasesRoot, "broken", "ReportingApi", "ReportingApi.Aggregation.dll"));

        await AssertOldKeepsServingAsync(() => Releases.Promote("broken"), expectedError: "ReportingApi.Aggregation");
        await AssertGoodReleaseLoadsAfterwardsAsync();
    }

    [Fact]
    public async Task Release_EmptyVersionFolder_KeepsServing()
    {
        Directory.CreateDirectory(Path.Combine(Releases.ReleasesRoot, "empty"));

        await AssertOldKeepsServingAsync(() => Releases.Promote("empty"), expectedError: "empty");
        await AssertGoodReleaseLoadsAfterwardsAsync();
    }

    [Fact]
    public async Task Release_DanglingSymlink_KeepsServing()
    {
        await AssertOldKeepsServingAsync(() => Releases.Promote("v404"), expectedError: "dangling");
        await AssertGoodReleaseLoadsAfterwardsAsync();
    }

    [Fact]
    public async Task Config_MalformedOnReload_KeepsServingWithTheOldConfig()
    {
        await AssertOldKeepsServingAsync(() => File.AppendAllText(Releases.ConfigPath, "\nbogus: [\n"), expectedError: "config.yaml");

        // The served release did nothing wrong: it must stay a valid rollback target.
        var history = Path.Combine(Releases.ReleasesRoot, "history.log");
        Assert.DoesNotContain("\"action\":\"bad\"", File.Exists(history) ? await File.ReadAllTextAsync(history) : "");
        await AssertGoodReleaseLoadsAfterwardsAsync();
    }

    private bool UnloadLogged(string app, string version) =>
        Host.Logs.Events.Any(e => e.MessageTemplate.Text.StartsWith("Unloaded", StringComparison.Ordinal)
            && CollectingSink.Property(e, "App") == app && CollectingSink.Property(e, "Version") == version);

    /// <summary>Adds <paramref name="appsYaml"/> to the sample apps in config.yaml and promotes <paramref name="version"/>.</summary>
    private Task AssertOldKeepsServingWithAppsAsync(string version, string appsYaml, string expectedError) =>
        AssertOldKeepsServingAsync(() =>
        {
            Releases.WriteSampleConfig(extraAppSettings: appsYaml);
            Releases.Promote(version);
        }, expectedError);

    /// <summary>Requests run throughout the broken reload: every one must be a 200 from the old generation.</summary>
    private async Task AssertOldKeepsServingAsync(Action breakIt, string expectedError)
    {
        var reloadsBefore = Host.Coordinator.History.Count;
        var statuses = new ConcurrentBag<HttpStatusCode>();
        using var stop = new CancellationTokenSource();
        var client = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var response = await Host.Client.GetAsync("/api/v1/health", CancellationToken.None);
                statuses.Add(response.StatusCode);
            }
        });

        breakIt();
        // Breaking it may take two reloads (a config write and a flip): wait for the failure that names the cause.
        await Eventually.WaitAsync(() => Host.Coordinator.History.Take(Host.Coordinator.History.Count - reloadsBefore)
            .Any(r => !r.Ok && r.Error!.Contains(expectedError, StringComparison.Ordinal)), $"a failed reload naming '{expectedError}'");
        await stop.CancelAsync();
        await client;

        var result = Host.Coordinator.LastResult!;
        Assert.False(result.Ok);
        Assert.Contains(expectedError, result.Error);
        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.OK, s));
        Assert.Equal(1, Host.GenerationNumber);
        Assert.Equal("v1", await Host.VersionServedAsync());
        var status = await Host.GetJsonAsync("/_pluginhost/status");
        Assert.False(status.GetProperty("lastReload").GetProperty("ok").GetBoolean());
        Assert.Contains(expectedError, status.GetProperty("lastReload").GetProperty("error").GetString());
        Assert.Contains(Host.Logs.Events, e => e.Level == Serilog.Events.LogEventLevel.Error && e.RenderMessage().Contains(expectedError, StringComparison.Ordinal));
        Assert.Empty(await Host.CollectRetiredAsync());
    }

    private async Task AssertGoodReleaseLoadsAfterwardsAsync()
    {
        Releases.WriteSampleConfig();
        Releases.Promote("v2");
        await Eventually.WaitAsync(async () => Host.Coordinator.LastResult!.Ok && await Host.VersionServedAsync() == "v2",
            "the good release after the broken one");

        Assert.Empty(await Host.CollectRetiredAsync());
    }
}
