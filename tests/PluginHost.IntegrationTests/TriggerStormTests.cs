using PluginHost.IntegrationTests.Infrastructure;

namespace PluginHost.IntegrationTests;

/// <summary>Issue 3 (7): a burst of triggers gives one reload, two at most.</summary>
public sealed class TriggerStormTests : IAsyncLifetime
{
    private readonly TempReleases _releases = new();
    private HostRunner _host = null!;

    public async Task InitializeAsync()
    {
        _releases.CreateSampleRelease("v1");
        _releases.Promote("v1");
        _releases.WriteSampleConfig();
        _host = await HostRunner.StartAsync(_releases.ConfigPath);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        _releases.Dispose();
    }

    [Fact]
    public async Task Touch_HundredTimesWithinASecond_ReloadsAtMostTwice()
    {
        var reloadsBefore = _host.Coordinator.History.Count;

        for (var i = 0; i < 100; i++)
        {
            _releases.Touch();
            await Task.Delay(5);
        }

        await _host.WaitForReloadResultAsync(reloadsBefore, "the reload after the storm");
        await WaitUntilQuietAsync(TimeSpan.FromMilliseconds(600));

        var reloads = _host.Coordinator.History.Count - reloadsBefore;
        Assert.InRange(reloads, 1, 2);
        Assert.All(_host.Coordinator.History.Take(reloads), r => Assert.True(r.Ok));
        Assert.Empty(await _host.CollectRetiredAsync());
    }

    /// <summary>Waits until no reload has happened for <paramref name="quiet"/> (three poll intervals): the storm is over.</summary>
    private async Task WaitUntilQuietAsync(TimeSpan quiet)
    {
        var count = _host.Coordinator.History.Count;
        var since = DateTime.UtcNow;
        await Eventually.WaitAsync(() =>
        {
            var now = _host.Coordinator.History.Count;
            if (now != count)
            {
                (count, since) = (now, DateTime.UtcNow);
            }

            return DateTime.UtcNow - since >= quiet;
        }, "no further reloads");
    }
}
