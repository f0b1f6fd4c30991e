using System.Diagnostics;
using PluginHost.IntegrationTests.Infrastructure;

namespace PluginHost.IntegrationTests;

/// <summary>Issue 3 (7): a burst of triggers gives one reload, two at most.</summary>
public sealed class TriggerStormTests : HostedTest
{
    protected override void Arrange()
    {
        Releases.CreateSampleRelease("v1");
        Releases.Promote("v1");
        // A quiet period well above the poll interval, so that a busy test machine does not split the storm.
        Releases.WriteSampleConfig(debounce: "500ms");
    }

    [Fact]
    public async Task Touch_HundredTimesWithinASecond_ReloadsAtMostTwice()
    {
        var reloadsBefore = Host.Coordinator.History.Count;

        // A real deploy script in its own process: 100 'touch'es 5 ms apart.
        using var storm = Process.Start(new ProcessStartInfo("bash", ["-c", $"for i in $(seq 100); do touch '{Releases.Trigger}'; sleep 0.005; done"]))!;
        await storm.WaitForExitAsync();
        Assert.Equal(0, storm.ExitCode);

        await Host.WaitForReloadResultAsync(reloadsBefore, "the reload after the storm");
        await WaitUntilQuietAsync(TimeSpan.FromMilliseconds(1200));

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
