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

    /// <summary>
    /// Issue 17: the sinks write from buffers on their own threads, so at SIGTERM the last events may still be waiting.
    /// Here the console is stuck (its output is not read: the pipe fills up, as when journald stops taking output) while
    /// a request logs a burst, then SIGTERM comes. The request completes regardless; the log file gets the burst's last
    /// event and then the Stopped: line; the host does not exit before its console buffer is written out, and then the
    /// console has them too.
    /// </summary>
    [Fact]
    public async Task SigTerm_RightAfterARequestThatLogged_BuffersFlushedBeforeExitWithTheLastEventAndTheStoppedLine()
    {
        const int burst = 2_000;
        var tag = Guid.NewGuid().ToString("N");
        var lastEvent = $"Burst event {burst} of {burst} ({tag})";
        _releases.CreateRelease("v1", ("LogsBurst", "LogsBurst"));
        _releases.Promote("v1");
        _releases.WriteConfig("""
            releases:
              root: releases
            logging:
              file: logs/host-.log
              requestLog: false
            apps:
              - name: LogsBurst
                mount: /
                assembly: LogsBurst/LogsBurst.dll
            """);
        using var host = HostProcess.Start(_releases.ConfigPath, readOutput: false);
        await host.WaitUntilServingAsync("/");

        Assert.Equal($"logged {burst}", await host.Client.GetStringAsync($"/log?count={burst}&tag={tag}"));
        host.Terminate();
        await Eventually.WaitAsync(() => StoppedLine().IsMatch(LogFileText()), "the Stopped: line in the log file", TimeSpan.FromSeconds(30));
        var exitedWithConsoleStuck = host.HasExited;
        host.ReadOutput();
        var exitCode = await host.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.True(exitCode == 0, $"exit code {exitCode}:\n{host.Output}");
        var lines = LogFileText().Split('\n');
        var last = Array.FindIndex(lines, l => l.Contains(lastEvent, StringComparison.Ordinal));
        var stopped = Array.FindIndex(lines, l => StoppedLine().IsMatch(l));
        Assert.True(last >= 0 && stopped > last, $"the log file should have '{lastEvent}', then the Stopped: line; it ends with:\n{string.Join('\n', lines.TakeLast(5))}");
        Assert.Equal(burst, lines.Count(l => l.Contains($"({tag})", StringComparison.Ordinal)));
        Assert.False(exitedWithConsoleStuck, "the host exited before its console buffer was written out");
        Assert.Contains(lastEvent, host.Output, StringComparison.Ordinal);
        Assert.Matches(StoppedLine(), host.Output);
    }

    /// <summary>The rolling log files of the test's deployment (one, unless the run crossed midnight), read while the host may still write.</summary>
    private string LogFileText()
    {
        var folder = Path.Combine(_releases.Root, "logs");
        if (!Directory.Exists(folder))
        {
            return "";
        }

        var text = new System.Text.StringBuilder();
        foreach (var file in Directory.GetFiles(folder, "host-*.log").Order(StringComparer.Ordinal))
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            text.Append(reader.ReadToEnd());
        }

        return text.ToString();
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
