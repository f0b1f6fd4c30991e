using PluginHost.IntegrationTests.Infrastructure;

namespace PluginHost.IntegrationTests.Workers;

/// <summary>Recycling like uWSGI's max-requests and reload-on-rss: a worker past a limit is replaced without a failed request.</summary>
public sealed class WorkerRecycleTests : HostedTest
{
    protected override void Arrange()
    {
        ProcessApps.CreateReleases(Releases);
        ProcessApps.WriteConfig(Releases,
            reportingExtra: """
                recycle:
                  maxRequests: 150
                """,
            crashyExtra: """
                recycle:
                  maxMemory: 20MB
                """);
    }

    [Fact]
    public async Task Workers_PastTheirRequestOrMemoryLimit_AreReplaced_WithoutAFailedRequest()
    {
        var reporting = await ProcessApps.WorkerPidAsync(Host, "ReportingApi");
        var crashy = await ProcessApps.WorkerPidAsync(Host, "Crashy");
        await using var load = new ContinuousRequests(Host.Address, ["/api/v1/version", "/crashy/whoami"]);

        await Eventually.WaitAsync(async () => (await ProcessApps.WorkerAsync(Host, "ReportingApi")).GetProperty("recycles").GetInt32() >= 2
            && (await ProcessApps.WorkerAsync(Host, "Crashy")).GetProperty("recycles").GetInt32() >= 2,
            "two recycles of each worker (every 150 requests, every probe over 20 MB)", TimeSpan.FromSeconds(90));
        await load.StopAsync();

        Assert.Empty(load.Failures);
        Assert.NotEqual(reporting, await ProcessApps.WorkerPidAsync(Host, "ReportingApi"));
        Assert.NotEqual(crashy, await ProcessApps.WorkerPidAsync(Host, "Crashy"));
        Assert.Equal(0, (await ProcessApps.WorkerAsync(Host, "ReportingApi")).GetProperty("restarts").GetInt32());
        Assert.Contains(Host.Logs.Messages, m => m.Contains("(recycle.maxRequests)", StringComparison.Ordinal));
        Assert.Contains(Host.Logs.Messages, m => m.Contains("over recycle.maxMemory 20 MiB", StringComparison.Ordinal));
        await Eventually.WaitAsync(() => !ProcessApps.IsRunning(reporting) && !ProcessApps.IsRunning(crashy), "the recycled workers exiting");
    }
}
