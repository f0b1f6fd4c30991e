using System.Net;
using PluginHost.IntegrationTests.Infrastructure;

namespace PluginHost.IntegrationTests;

/// <summary>Issue 3: a request in flight at a swap finishes on its old generation, which unloads after it; the drain is bounded.</summary>
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
        Assert.DoesNotContain(host.Logs.Events, e => e.MessageTemplate.Text.Contains("drain timeout", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Reload_RequestLongerThanTheDrainTimeout_RetiresAfterTheTimeoutAndUnloadsOnceTheRequestEnds()
    {
        var host = await StartAsync(drainTimeout: "1s");
        using var cancel = new CancellationTokenSource();
        var slow = host.Client.GetAsync("/slow?ms=300000", cancel.Token);
        await Eventually.WaitAsync(() => host.Current.Value!.Apps[0].InFlight == 1, "the slow request inside generation 1");

        Releases.Touch();
        await host.WaitForGenerationAsync(1, "generation 2 serving");
        await Eventually.WaitAsync(() => host.Logs.Events.Any(e => e.MessageTemplate.Text.Contains("drain timeout", StringComparison.Ordinal)),
            "the drain timeout warning for generation 1");

        Assert.False(slow.IsCompleted);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => slow);
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
