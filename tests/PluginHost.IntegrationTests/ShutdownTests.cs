using System.Net;
using PluginHost.IntegrationTests.Infrastructure;

namespace PluginHost.IntegrationTests;

/// <summary>Issue 6: SIGTERM to the real host process drains in-flight requests and exits 0.</summary>
public sealed class ShutdownTests : IDisposable
{
    private readonly TempReleases _releases = new();

    public void Dispose() => _releases.Dispose();

    [Fact]
    public async Task SigTerm_DuringSlowRequest_StopsAcceptingLetsItFinishAndExitsZero()
    {
        _releases.CreateRelease("v1", ("SlowRequest", "SlowRequest"));
        _releases.Promote("v1");
        _releases.WriteConfig("""
            server:
              shutdownTimeout: 30s
            releases:
              root: releases
            apps:
              - name: SlowRequest
                mount: /
                assembly: SlowRequest/SlowRequest.dll
            """);
        using var host = HostProcess.Start(_releases.ConfigPath);
        await host.WaitUntilServingAsync("/slow?ms=0");

        var slow = host.Client.GetAsync("/slow?ms=4000");
        await Eventually.WaitAsync(async () => (await host.Client.GetStringAsync("/_pluginhost/status")).Contains("\"inFlight\": 1"),
            "the slow request inside the app");
        host.Terminate();
        await Eventually.WaitAsync(host.RefusesConnectionsAsync, "the host to stop accepting connections");
        var stillRunningWhenAcceptStopped = !slow.IsCompleted;
        using var response = await slow;
        var exitCode = await host.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.True(stillRunningWhenAcceptStopped, "the slow request should still run after the host stopped accepting");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("done", await response.Content.ReadAsStringAsync());
        Assert.True(exitCode == 0, $"exit code {exitCode}:\n{host.Output}");
    }
}
