using System.Collections.Concurrent;
using System.Net;
using PluginHost.IntegrationTests.Infrastructure;

namespace PluginHost.IntegrationTests;

/// <summary>Issue 3: a broken release never takes the site down; the error is recorded and a later good release loads.</summary>
public sealed class BrokenReleaseTests : IAsyncLifetime
{
    private readonly TempReleases _releases = new();
    private HostRunner _host = null!;

    public async Task InitializeAsync()
    {
        _releases.CreateSampleRelease("v1");
        _releases.CreateSampleRelease("v2", aggregation: "ReportingApi.Aggregation.V2");
        _releases.Promote("v1");
        _releases.WriteSampleConfig();
        _host = await HostRunner.StartAsync(_releases.ConfigPath);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        _releases.Dispose();
    }

    public static TheoryData<string> BrokenApps => new()
    {
        "ThrowsOnConfigure",
        "ThrowsOnConfigureServices",
        "ThrowsInConstructor",
        "NotReady",
        "IncompatibleContract",
    };

    [Theory]
    [MemberData(nameof(BrokenApps))]
    public async Task Release_WithABrokenApp_KeepsServingTheOldGenerationUntilAGoodRelease(string project)
    {
        _releases.CreateSampleRelease("broken");
        _releases.CreateRelease("broken", ("Extra", project));

        await AssertOldKeepsServingAsync(() =>
        {
            _releases.WriteSampleConfig(extraAppSettings: $"""
                  - name: Extra
                    mount: /extra
                    assembly: Extra/{project}.dll
                """);
            _releases.Promote("broken");
        }, expectedError: "app 'Extra'");

        await AssertGoodReleaseLoadsAfterwardsAsync();
    }

    [Fact]
    public async Task Release_MissingAnAppAssembly_KeepsServing()
    {
        _releases.CreateSampleRelease("broken");
        File.Delete(Path.Combine(_releases.ReleasesRoot, "broken", "WebApp", "WebApp.dll"));

        await AssertOldKeepsServingAsync(() => _releases.Promote("broken"), expectedError: "assembly not found");

        var history = await File.ReadAllTextAsync(Path.Combine(_releases.ReleasesRoot, "history.log"));
        Assert.Contains("\"action\":\"bad\"", history);
        Assert.Contains("\"to\":\"broken\"", history);
        await AssertGoodReleaseLoadsAfterwardsAsync();
    }

    [Fact]
    public async Task Release_MissingAPrivateDependency_KeepsServing()
    {
        _releases.CreateSampleRelease("broken");
        File.Delete(Path.Combine(_releases.ReleasesRoot, "broken", "ReportingApi", "ReportingApi.Aggregation.dll"));

        await AssertOldKeepsServingAsync(() => _releases.Promote("broken"), expectedError: "ReportingApi.Aggregation");
        await AssertGoodReleaseLoadsAfterwardsAsync();
    }

    [Fact]
    public async Task Release_EmptyVersionFolder_KeepsServing()
    {
        Directory.CreateDirectory(Path.Combine(_releases.ReleasesRoot, "empty"));

        await AssertOldKeepsServingAsync(() => _releases.Promote("empty"), expectedError: "empty");
        await AssertGoodReleaseLoadsAfterwardsAsync();
    }

    [Fact]
    public async Task Release_DanglingSymlink_KeepsServing()
    {
        await AssertOldKeepsServingAsync(() => _releases.Promote("v404"), expectedError: "dangling");
        await AssertGoodReleaseLoadsAfterwardsAsync();
    }

    [Fact]
    public async Task Config_MalformedOnReload_KeepsServingWithTheOldConfig()
    {
        await AssertOldKeepsServingAsync(() => File.AppendAllText(_releases.ConfigPath, "\nbogus: [\n"), expectedError: "config.yaml");
        await AssertGoodReleaseLoadsAfterwardsAsync();
    }

    /// <summary>Requests run throughout the broken reload: every one must be a 200 from the old generation.</summary>
    private async Task AssertOldKeepsServingAsync(Action breakIt, string expectedError)
    {
        var reloadsBefore = _host.Coordinator.History.Count;
        var statuses = new ConcurrentBag<HttpStatusCode>();
        using var stop = new CancellationTokenSource();
        var client = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var response = await _host.Client.GetAsync("/api/v1/health", CancellationToken.None);
                statuses.Add(response.StatusCode);
            }
        });

        breakIt();
        await _host.WaitForReloadResultAsync(reloadsBefore, "the failed reload to be recorded");
        await stop.CancelAsync();
        await client;

        var result = _host.Coordinator.LastResult!;
        Assert.False(result.Ok);
        Assert.Contains(expectedError, result.Error);
        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.OK, s));
        Assert.Equal(1, _host.GenerationNumber);
        Assert.Equal("v1", await _host.VersionServedAsync());
        var status = await _host.GetJsonAsync("/_pluginhost/status");
        Assert.False(status.GetProperty("lastReload").GetProperty("ok").GetBoolean());
        Assert.Contains(expectedError, status.GetProperty("lastReload").GetProperty("error").GetString());
        Assert.Contains(_host.Logs.Events, e => e.Level == Serilog.Events.LogEventLevel.Error && e.RenderMessage().Contains(expectedError, StringComparison.Ordinal));
        Assert.Empty(await _host.CollectRetiredAsync());
    }

    private async Task AssertGoodReleaseLoadsAfterwardsAsync()
    {
        _releases.WriteSampleConfig();
        _releases.Promote("v2");
        await Eventually.WaitAsync(async () => _host.Coordinator.LastResult!.Ok && await _host.VersionServedAsync() == "v2",
            "the good release after the broken one");

        Assert.Empty(await _host.CollectRetiredAsync());
    }
}
