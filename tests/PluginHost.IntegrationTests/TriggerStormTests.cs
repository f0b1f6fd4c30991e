using PluginHost.IntegrationTests.Infrastructure;

namespace PluginHost.IntegrationTests;

/// <summary>Issue 3 (7): a burst of triggers gives one reload, two at most.</summary>
public sealed class TriggerStormTests : HostedTest
{
    protected override void Arrange()
    {
        Releases.CreateSampleRelease("v1");
        Releases.Promote("v1");
        Releases.WriteSampleConfig();
    }

    [Fact]
    public async Task Touch_HundredTimesWithinASecond_ReloadsAtMostTwice()
    {
        var reloadsBefore = Host.Coordinator.History.Count;

        for (var i = 0; i < 100; i++)
        {
            Releases.Touch();
            await Task.Delay(5);
        }

        await Host.WaitForReloadResultAsync(reloadsBefore, "the reload after the storm");
        await WaitUntilQuietAsync(TimeSpan.FromMilliseconds(600));

        var reloads = Host.Coordinator.History.Count - reloadsBefore;
        Assert.InRange(reloads, 1, 2);
        Assert.All(Host.Coordinator.History.Take(reloads), r => Assert.True(r.Ok));
        Assert.Empty(await Host.CollectRetiredAsync());
    }

    /// <summary>Waits until no reload has happened for <paramref name="quiet"/> (three poll intervals): the storm is over.</summary>
    private async Task WaitUntilQuietAsync(TimeSpan quiet)
    {
        var count = Host.Coordinator.History.Count;
        var since = DateTime.UtcNow;
        await Eventually.WaitAsync(() =>
        {
            var now = Host.Coordinator.History.Count;
            if (now != count)
            {
                (count, since) = (now, DateTime.UtcNow);
            }

            return DateTime.UtcNow - since >= quiet;
        }, "no further reloads");
    }
}
