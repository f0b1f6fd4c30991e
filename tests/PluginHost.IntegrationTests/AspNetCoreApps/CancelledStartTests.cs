using PluginHost.IntegrationTests.Infrastructure;

namespace PluginHost.IntegrationTests.AspNetCoreApps;

/// <summary>
/// Issue 13: when another app of the generation fails, an unmodified app still starting is given up: the host it was
/// building is stopped once built, never served, and its context is verified collected like every other.
/// </summary>
public sealed class CancelledStartTests : HostedTest
{
    protected override void Arrange()
    {
        foreach (var (version, mode) in new[] { ("v1", "serve"), ("v2", "throw") })
        {
            Releases.CreateRelease(version, ("Orders", "BrokenAspNetCoreApp"), ("Minimal", "UnmodifiedMinimalApi"));
            File.WriteAllText(Path.Combine(Releases.ReleasesRoot, version, "Orders", "mode.txt"), mode);
        }

        Releases.Promote("v1");
        Releases.WriteAppsConfig("""
              - name: Orders
                mount: /orders
                assembly: Orders/BrokenAspNetCoreApp.dll
              - name: Minimal
                mount: /minimal
                assembly: Minimal/UnmodifiedMinimalApi.dll
                settings:
                  # Its Main builds its host 2 s after it starts: Orders' failure comes first, then its host.
                  BuildDelay: 00:00:02
            """);
    }

    [Fact]
    public async Task Promote_AnotherAppFails_TheStartingAppIsStoppedAndBothAbandonedContextsAreCollected()
    {
        var reloads = Host.Coordinator.History.Count;
        var collected = Host.Tracker.CollectedCount;

        Releases.Promote("v2");
        await Host.WaitForReloadResultAsync(reloads, "the reload of v2, whose Orders app throws in Main");

        Assert.False(Host.Coordinator.LastResult!.Ok);
        Assert.Contains("Main threw InvalidOperationException", Host.Coordinator.LastResult.Error, StringComparison.Ordinal);
        Assert.Equal("served", await Host.Client.GetStringAsync("/orders/"));
        Assert.Equal(1, Host.GenerationNumber);
        Assert.Empty(await Host.CollectRetiredAsync());
        // Orders' context and Minimal's: both abandoned with the failed generation, both seen to unload.
        Assert.Equal(collected + 2, Host.Tracker.CollectedCount);
    }
}
