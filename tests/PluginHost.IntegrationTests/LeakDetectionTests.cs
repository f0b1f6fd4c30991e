using System.Net;
using PluginHost.Core.Generations;
using PluginHost.IntegrationTests.Infrastructure;
using Serilog.Events;

namespace PluginHost.IntegrationTests;

/// <summary>Issue 3 (5b): a plugin that roots its own context is reported as leaked, and serving carries on.</summary>
[Collection(ManyUnloadsCollection.Name)]
public sealed class LeakDetectionTests : HostedTest
{
    protected override void Arrange()
    {
        Releases.CreateSampleRelease("v1");
        Releases.CreateRelease("v1", ("Leaky", "StartsPollingThread"));
        Releases.Promote("v1");
        // The trigger exists before the host starts, so the test's Touch is one change (its time), not two (created, then
        // its time set): on a busy machine two changes more than the settle delay apart made two reloads and two leaks.
        Releases.Touch();
        Releases.WriteConfig("""
            reload:
              pollInterval: 200ms
              debounce: 50ms
              unloadTimeout: 1s
            apps:
              - name: ReportingApi
                mount: /api/v1
                assembly: ReportingApi/ReportingApi.dll
              - name: Leaky
                mount: /leaky
                assembly: Leaky/StartsPollingThread.dll
            """);
    }

    [Fact]
    public async Task Reload_PluginWhoseThreadNeverStops_IsReportedLeakedWhileServingGoesOn()
    {
        Releases.Touch();
        await Host.WaitForGenerationAsync(1, "the reload that retires the leaky generation");
        await Eventually.WaitAsync(() => Host.Tracker.Leaked.Count > 0, "the leak to be reported");

        var leak = Assert.Single(Host.Tracker.Leaked);
        Assert.Equal(("Leaky", "v1", 1L, UnloadState.Leaked), (leak.App, leak.Version, leak.Generation, leak.State));
        Assert.True(leak.Context.IsAlive);

        var status = await Host.GetJsonAsync("/_pluginhost/status");
        var leaky = status.GetProperty("apps").EnumerateArray().Single(a => a.GetProperty("name").GetString() == "Leaky");
        Assert.Equal(1, leaky.GetProperty("leaked").GetInt32());
        var retired = Assert.Single(status.GetProperty("retiredAlive").EnumerateArray());
        Assert.Equal("Leaky", retired.GetProperty("app").GetString());
        Assert.Equal(1, retired.GetProperty("generation").GetInt64());
        Assert.Equal("Leaked", retired.GetProperty("state").GetString());

        var warning = Assert.Single(Host.Logs.Events, e => e.Level == LogEventLevel.Warning && e.MessageTemplate.Text.StartsWith("Leak:", StringComparison.Ordinal));
        Assert.Contains("Leaky", warning.RenderMessage());
        Assert.Contains("generation 1", warning.RenderMessage());

        // The well-behaved app of the same generation unloaded; both apps keep serving.
        Assert.DoesNotContain(Host.Tracker.Alive, r => r.App == "ReportingApi");
        Assert.Equal(HttpStatusCode.OK, (await Host.Client.GetAsync("/leaky/")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Host.Client.GetAsync("/api/v1/version")).StatusCode);
    }
}
