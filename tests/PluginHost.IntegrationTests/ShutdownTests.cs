using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using PluginHost.IntegrationTests.Infrastructure;

namespace PluginHost.IntegrationTests;

/// <summary>
/// Issue 6: SIGTERM (systemd's stop) and SIGINT (Ctrl+C) to the real host process drain in-flight requests within
/// server.shutdownTimeout, retire and unload the served generation, and exit 0.
/// </summary>
public sealed partial class ShutdownTests : IDisposable
{
    private readonly TempReleases _releases = new();

    public void Dispose() => _releases.Dispose();

    public static TheoryData<string> Signals => ["SIGTERM", "SIGINT"];

    [Theory]
    [MemberData(nameof(Signals))]
    public async Task Signal_DuringSlowRequest_StopsAcceptingLetsItFinishUnloadsAndExitsZero(string signal)
    {
        using var host = await StartSlowRequestHostAsync("30s");

        var slow = host.Client.GetAsync("/slow?ms=4000");
        await WaitForInFlightAsync(host);
        Send(host, signal);
        await Eventually.WaitAsync(host.RefusesConnectionsAsync, "the host to stop accepting connections");
        var stillRunningWhenAcceptStopped = !slow.IsCompleted;
        using var response = await slow;
        var exitCode = await host.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.True(stillRunningWhenAcceptStopped, "the slow request should still run after the host stopped accepting");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("done", await response.Content.ReadAsStringAsync());
        Assert.True(exitCode == 0, $"exit code {exitCode}:\n{host.Output}");
        AssertServedGenerationUnloaded(host.Output);
    }

    [Fact]
    public async Task SigTerm_RequestLongerThanShutdownTimeout_ExitsWithinTheBoundAndUnloads()
    {
        const int shutdownTimeoutSeconds = 2;
        using var host = await StartSlowRequestHostAsync($"{shutdownTimeoutSeconds}s");

        // Ten minutes: if the drain waited for it, the process would outlive every bound below.
        var slow = host.Client.GetAsync("/slow?ms=600000");
        await WaitForInFlightAsync(host);
        var clock = Stopwatch.StartNew();
        host.Terminate();
        var exitCode = await host.WaitForExitAsync(TimeSpan.FromSeconds(shutdownTimeoutSeconds + 15));
        clock.Stop();
        var abandoned = await Record.ExceptionAsync(async () => (await slow).Dispose());

        Assert.True(exitCode == 0, $"exit code {exitCode}:\n{host.Output}");
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(shutdownTimeoutSeconds - 0.5),
            $"the host exited after {clock.Elapsed.TotalSeconds:0.0} s: it should have let the request run for up to server.shutdownTimeout ({shutdownTimeoutSeconds} s)");
        Assert.True(abandoned is HttpRequestException or TaskCanceledException,
            $"the request longer than server.shutdownTimeout should have been cut off, got {abandoned?.GetType().Name ?? "a response"}");
        AssertServedGenerationUnloaded(host.Output);
    }

    private async Task<HostProcess> StartSlowRequestHostAsync(string shutdownTimeout)
    {
        _releases.CreateRelease("v1", ("SlowRequest", "SlowRequest"));
        _releases.Promote("v1");
        _releases.WriteConfig($"""
            server:
              shutdownTimeout: {shutdownTimeout}
            releases:
              root: releases
            apps:
              - name: SlowRequest
                mount: /
                assembly: SlowRequest/SlowRequest.dll
            """);
        var host = HostProcess.Start(_releases.ConfigPath);
        try
        {
            await host.WaitUntilServingAsync("/slow?ms=0");
            return host;
        }
        catch
        {
            host.Dispose();
            throw;
        }
    }

    private static Task WaitForInFlightAsync(HostProcess host) =>
        Eventually.WaitAsync(async () => (await host.Client.GetStringAsync("/_pluginhost/status")).Contains("\"inFlight\": 1", StringComparison.Ordinal),
            "the slow request inside the app");

    private static void Send(HostProcess host, string signal)
    {
        switch (signal)
        {
            case "SIGTERM":
                host.Terminate();
                break;
            case "SIGINT":
                host.Interrupt();
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(signal), signal, "SIGTERM or SIGINT");
        }
    }

    /// <summary>The process output says the one generation it served was retired at shutdown and its context collected.</summary>
    private static void AssertServedGenerationUnloaded(string output)
    {
        foreach (var expected in new[] { ServedGeneration(), UnloadedGeneration(), StoppedLine() })
        {
            Assert.True(expected.IsMatch(output), $"no line matching '{expected}' in the host's output:\n{output}");
        }

        Assert.DoesNotContain("Leak:", output, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"Serving v1 generation 1 \(startup\)")]
    private static partial Regex ServedGeneration();

    [GeneratedRegex(@"Unloaded SlowRequest v1 generation 1 in [0-9]+ ms")]
    private static partial Regex UnloadedGeneration();

    [GeneratedRegex(@"Stopped: retired v1 generation 1; 1 app context\(s\) unloaded, 0 still alive")]
    private static partial Regex StoppedLine();
}
