using System.Diagnostics;
using System.Net.WebSockets;
using PluginHost.IntegrationTests.Infrastructure;

namespace PluginHost.IntegrationTests.LongLived;

/// <summary>
/// Issue 18: SIGTERM to the real host process with WebSockets and an SSE stream open. Every generation hears
/// ApplicationStopping first, so the apps close their streams (WebSockets with 1001); the host then exits as soon as they
/// have ended, well before server.shutdownTimeout, with exit code 0 and no error logged for the closed streams.
/// </summary>
public sealed class LongLivedShutdownTests : IDisposable
{
    private const int ShutdownTimeoutSeconds = 30;
    private readonly TempReleases _releases = new();

    public void Dispose() => _releases.Dispose();

    [Fact]
    public async Task SigTerm_WithStreamsThatObserveStopping_ClosedWith1001AndExitsZeroWellBeforeTheShutdownTimeout()
    {
        _releases.CreateRelease("v1", ("LongLived", "LongLivedConnections"));
        _releases.Promote("v1");
        _releases.WriteConfig($"""
            server:
              shutdownTimeout: {ShutdownTimeoutSeconds}s
            releases:
              root: releases
            apps:
              - name: LongLived
                mount: /live
                assembly: LongLived/LongLivedConnections.dll
            """);
        using var host = HostProcess.Start(_releases.ConfigPath);
        await host.WaitUntilServingAsync("/live/");
        var sockets = new List<EchoClient>();
        for (var i = 0; i < 3; i++)
        {
            sockets.Add(await EchoClient.ConnectAsync(new UriBuilder(host.Address) { Scheme = Uri.UriSchemeWs, Path = "/live/ws" }.Uri,
                TimeSpan.FromMilliseconds(50), CancellationToken.None));
        }

        await using var events = await EventStreamClient.OpenAsync(host.Client, "/live/sse");

        var clock = Stopwatch.StartNew();
        host.Terminate();
        var ends = await Task.WhenAll(sockets.Select(s => s.Ended.WaitAsync(TimeSpan.FromSeconds(20))));
        var eventsEnd = await events.Ended.WaitAsync(TimeSpan.FromSeconds(20));
        var exitCode = await host.WaitForExitAsync(TimeSpan.FromSeconds(ShutdownTimeoutSeconds + 15));
        clock.Stop();
        foreach (var socket in sockets)
        {
            await socket.DisposeAsync();
        }

        Assert.All(ends, end => Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, end.CloseStatus));
        Assert.True(eventsEnd.Clean, $"the SSE stream should have ended cleanly: {eventsEnd}");
        Assert.True(exitCode == 0, $"exit code {exitCode}:\n{host.Output}");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10),
            $"the host took {clock.Elapsed.TotalSeconds:0.0} s to exit; its apps had closed their streams at once:\n{host.Output}");
        Assert.DoesNotContain(" ERR]", host.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("answered 500", host.Output, StringComparison.Ordinal);
    }
}
