using PluginHost.IntegrationTests.Infrastructure;

namespace PluginHost.IntegrationTests.AspNetCoreApps;

/// <summary>
/// Issue 13: an unmodified app that cannot be mounted fails its reload with one line naming the cause, while the previous
/// generation keeps serving, and the abandoned generation is collected.
/// </summary>
public sealed class BrokenAppTests : HostedTest
{
    protected override void Arrange()
    {
        Releases.CreateRelease("v1", ("Orders", "BrokenAspNetCoreApp"));
        File.WriteAllText(Path.Combine(Releases.ReleasesRoot, "v1", "Orders", "mode.txt"), "serve");
        Releases.Promote("v1");
        Releases.WriteAppsConfig("""
              - name: Orders
                mount: /orders
                assembly: Orders/BrokenAspNetCoreApp.dll
                warmupTimeout: 10s
            """);
    }

    [Theory]
    [InlineData("throw", "Main threw InvalidOperationException: connection string 'Orders' is not configured")]
    [InlineData("return", "its Main returned without building a web host")]
    [InlineData("console", "started a host without a web server (no WebApplication or ConfigureWebHostDefaults)")]
    [InlineData("bind", "Main threw SocketException: Address already in use")]
    public async Task Promote_BrokenApp_FailsWithItsCauseAndTheOldGenerationServes(string mode, string cause)
    {
        using var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        var port = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port;
        Releases.CreateRelease("v2", ("Orders", "BrokenAspNetCoreApp"));
        File.WriteAllText(Path.Combine(Releases.ReleasesRoot, "v2", "Orders", "mode.txt"), mode == "bind" ? $"bind {port}" : mode);
        var reloads = Host.Coordinator.History.Count;

        Releases.Promote("v2");
        await Host.WaitForReloadResultAsync(reloads, $"the reload of the '{mode}' app");

        var result = Host.Coordinator.LastResult!;
        Assert.False(result.Ok);
        Assert.Equal($"app 'Orders': {Path.Combine(Releases.ReleasesRoot, "v2", "Orders", "BrokenAspNetCoreApp.dll")}: {cause}", result.Error);
        Assert.Equal(1, Host.GenerationNumber);
        Assert.Equal("served", await Host.Client.GetStringAsync("/orders/"));
        Assert.Empty(await Host.CollectRetiredAsync());
    }
}
