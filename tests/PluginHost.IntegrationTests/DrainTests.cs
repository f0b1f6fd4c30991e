using System.Net;
using PluginHost.IntegrationTests.Infrastructure;

namespace PluginHost.IntegrationTests;

/// <summary>
/// Issue 3: a request in flight at a swap finishes on its old generation, which unloads after it; the drain is bounded
/// (issue 18: what still runs at the drain timeout is aborted, and the generation unloads only once it has ended).
/// </summary>
public sealed class DrainTests : HostPerTest
{
    protected override void Arrange()
    {
        Releases.CreateRelease("v1", ("Slow", "SlowRequest"));
        Releases.Promote("v1");
    }

    [Fact]
    public async Task Reload_RequestInFlight_FinishesOnTheOldGenerationWhichUnloadsAfterIt()
    {
        var host = await StartAsync(drainTimeout: "30s");
        var slow = host.Client.GetAsync("/slow?ms=5000");
        await Eventually.WaitAsync(() => host.Current.Value!.Apps[0].InFlight == 1, "the slow request inside generation 1");

        Releases.Touch();
        await host.WaitForGenerationAsync(1, "generation 2 serving");

        Assert.False(slow.IsCompleted, "the slow request ended before the swap: the test proves nothing");
        Assert.DoesNotContain(host.Logs.Events, IsUnloadOf(1));
        using var response = await slow;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("done", await response.Content.ReadAsStringAsync());
        Assert.Empty(await host.CollectRetiredAsync());
        Assert.Contains(host.Logs.Events, IsUnloadOf(1));
        Assert.DoesNotContain(host.Logs.Events, e => CollectingSink.EventName(e) == "DrainTimedOut");
    }

    [Fact]
    public async Task Reload_RequestLongerThanTheDrainTimeout_AbortedAtTheTimeoutAndTheGenerationUnloadsOnceItEnded()
    {
        var host = await StartAsync(drainTimeout: "1s");
        var slow = host.Client.GetAsync("/slow?ms=300000");
        await Eventually.WaitAsync(() => host.Current.Value!.Apps[0].InFlight == 1, "the slow request inside generation 1");

        Releases.Touch();
        await host.WaitForGenerationAsync(1, "generation 2 serving");
        using var response = await slow.WaitAsync(TimeSpan.FromSeconds(20));

        // Aborted at the drain timeout (issue 18): RequestAborted ended the app's wait before it answered, so 503.
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains(host.Logs.Events, e => CollectingSink.EventName(e) == "DrainTimedOut");
        Assert.Contains(host.Logs.Events, e => CollectingSink.EventName(e) == "RequestAborting" && CollectingSink.Property(e, "Path") == "/slow");
        Assert.Empty(await host.CollectRetiredAsync());
        Assert.Contains(host.Logs.Events, IsUnloadOf(1));
    }

    private static Predicate<Serilog.Events.LogEvent> IsUnloadOf(long generation) => e =>
        e.MessageTemplate.Text.StartsWith("Unloaded", StringComparison.Ordinal) && CollectingSink.Property(e, "Generation") == generation.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private async Task<HostRunner> StartAsync(string drainTimeout)
    {
        Releases.WriteConfig($"""
            releases:
              root: releases
            reload:
              trigger: releases/reload.trigger
              pollInterval: 200ms
              debounce: 100ms
              drainTimeout: {drainTimeout}
              unloadTimeout: 10s
            apps:
              - name: Slow
                mount: /
                assembly: Slow/SlowRequest.dll
            """);
        return await StartHostAsync();
    }
}
