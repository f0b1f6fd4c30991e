using System.Net;
using PluginHost.IntegrationTests.Infrastructure;

namespace PluginHost.IntegrationTests;

/// <summary>
/// Guards the framework cache clean-up: a real plugin whose minimal-API handler takes plugin-typed parameters and
/// returns a plugin record through reflection JSON pins every generation unless the host scrubs those caches.
/// If a framework update moves the caches, these tests fail loudly.
/// </summary>
public sealed class FrameworkCacheTests : HostedTest
{
    protected override void Arrange()
    {
        Releases.CreateRelease("v1", ("Typed", "UsesTypedParameters"), ("Copy", "ShipsContractCopy"));
        Releases.Promote("v1");
        Releases.WriteConfig("""
            reload:
              pollInterval: 200ms
            apps:
              - name: Typed
                mount: /typed
                assembly: Typed/UsesTypedParameters.dll
                warmup: [/]
              - name: Copy
                mount: /copy
                assembly: Copy/ShipsContractCopy.dll
            """);
    }

    [Fact]
    public async Task Reloads_PluginWithTypedHandlerParameters_EveryGenerationIsCollected()
    {
        for (var i = 0; i < 5; i++)
        {
            var json = await Host.GetJsonAsync("/typed/");
            Assert.Equal(Host.GenerationNumber, json.GetProperty("generation").GetInt64());
            var before = Host.GenerationNumber;
            Releases.Touch();
            await Host.WaitForGenerationAsync(before, $"reload {i + 1}");
        }

        Assert.Empty(await Host.CollectRetiredAsync());
    }

    [Fact]
    public async Task Plugin_ShippingItsOwnContractCopy_GetsTheHostsContract()
    {
        using var response = await Host.Client.GetAsync("/copy/");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(File.Exists(Path.Combine(Releases.ReleasesRoot, "v1", "Copy", "PluginHost.Abstractions.dll")));
        Assert.Contains("ships-contract-copy", await response.Content.ReadAsStringAsync());
    }
}
