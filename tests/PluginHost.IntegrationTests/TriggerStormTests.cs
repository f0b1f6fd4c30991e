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
        Releases.WriteSampleConfig(debounce: Quiet.TotalMilliseconds + "ms");
    }

    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(500);

    [Fact]
    public async Task Touch_HundredTimesWithinASecond_ReloadsAtMostTwice()
    {
        var reloadsBefore = Host.Coordinator.History.Count;

        // A real deploy script in its own process: 100 'touch'es 5 ms apart, each followed by its time in nanoseconds.
        var start = new ProcessStartInfo("bash", ["-c", $"for i in $(seq 100); do touch '{Releases.Trigger}'; date +%s%N; sleep 0.005; done"])
        {
            RedirectStandardOutput = true,
        };
        using var storm = Process.Start(start)!;
        var times = (await storm.StandardOutput.ReadToEndAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(long.Parse).ToList();
        await storm.WaitForExitAsync();
        Assert.Equal(0, storm.ExitCode);

        await Host.WaitForReloadResultAsync(reloadsBefore, "the reload after the storm");
        await WaitUntilQuietAsync(TimeSpan.FromMilliseconds(1200));

        // A stalled test machine can pause the script for longer than the quiet period: that splits it into two bursts.
        var bursts = 1 + times.Zip(times.Skip(1), (a, b) => TimeSpan.FromTicks((b - a) / 100)).Count(gap => gap >= Quiet);
        var reloads = Host.Coordinator.History.Count - reloadsBefore;
        Assert.Equal(100, times.Count);
        Assert.InRange(reloads, 1, 2 * bursts);
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
