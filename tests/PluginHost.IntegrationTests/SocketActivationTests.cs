using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using PluginHost.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace PluginHost.IntegrationTests;

/// <summary>
/// Issue 12: a restart of a socket-activated host (deploy/pluginhost.socket) refuses no connection. The test plays systemd:
/// it owns the listening socket and passes it to each host process as fd 3 with LISTEN_FDS/LISTEN_PID, while clients
/// connect in a loop across a SIGTERM of the first host and the start of the second.
/// </summary>
[Collection(StressCollection.Name)]
public sealed class SocketActivationTests(ITestOutputHelper output) : IDisposable
{
    private const int Clients = 4;
    private readonly TempReleases _releases = new();

    [Fact]
    public async Task Restart_SocketActivatedHost_NoConnectionRefusedAndNoRequestLostButOneInFlightPerClient()
    {
        _releases.CreateRelease("v1", ("ReportingApi", "ReportingApi"));
        _releases.Promote("v1");
        _releases.WriteConfig("""
            releases:
              root: releases
            logging:
              requestLog: false
            apps:
              - name: ReportingApi
                mount: /api/v1
                assembly: ReportingApi/ReportingApi.dll
                warmup: [/version]
            """);
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1024);
        var server = new Uri($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndPoint!).Port}");

        using var first = HostProcess.StartSocketActivated(_releases.ConfigPath, listener);
        await first.WaitUntilServingAsync("/api/v1/version");
        var answered = 0L;
        var refused = 0L;
        var dropped = 0L;
        var failures = new ConcurrentQueue<string>();
        var slowest = TimeSpan.Zero;
        using var stop = new CancellationTokenSource();
        var clients = Enumerable.Range(0, Clients).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var clock = Stopwatch.StartNew();
                try
                {
                    var status = await RawHttp.GetStatusAsync(server, "/api/v1/version").WaitAsync(TimeSpan.FromSeconds(60));
                    if (status == 200)
                    {
                        Interlocked.Increment(ref answered);
                    }
                    else
                    {
                        failures.Enqueue($"status {status}");
                    }
                }
                catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionRefused)
                {
                    Interlocked.Increment(ref refused);
                }
                catch (IOException ex) when (ex.Message.StartsWith("no response", StringComparison.Ordinal))
                {
                    // Kestrel, stopping, closes the connections it accepted that have no request in progress yet.
                    Interlocked.Increment(ref dropped);
                }
                catch (Exception ex) when (ex is IOException or SocketException or TimeoutException)
                {
                    failures.Enqueue($"{ex.GetType().Name}: {ex.Message}");
                }

                lock (failures)
                {
                    slowest = clock.Elapsed > slowest ? clock.Elapsed : slowest;
                }
            }
        })).ToList();

        await Eventually.WaitAsync(() => Interlocked.Read(ref answered) >= 200, "200 answers from the first host");
        var beforeRestart = Interlocked.Read(ref answered);
        first.Terminate();
        var firstExit = await first.WaitForExitAsync(TimeSpan.FromSeconds(60));
        using var second = HostProcess.StartSocketActivated(_releases.ConfigPath, listener);
        await Eventually.WaitAsync(() => Interlocked.Read(ref answered) >= beforeRestart + 200, "200 answers from the second host", TimeSpan.FromSeconds(90));
        await stop.CancelAsync();
        await Task.WhenAll(clients);

        output.WriteLine($"answered {answered} ({beforeRestart} before the restart), refused {refused}, dropped {dropped}, failed {failures.Count}, " +
            $"slowest request {slowest.TotalMilliseconds:0} ms (it waited in the backlog across the restart)");
        Assert.True(firstExit == 0, $"the first host exited {firstExit}:\n{first.Output}");
        Assert.Equal(0, Interlocked.Read(ref refused));
        Assert.True(failures.IsEmpty, string.Join(Environment.NewLine, failures.Take(10)));
        // At most the connection each client had open at the moment the old host stopped.
        Assert.InRange(Interlocked.Read(ref dropped), 0, Clients);
        Assert.DoesNotContain("8080", second.Output, StringComparison.Ordinal);
    }

    public void Dispose() => _releases.Dispose();
}
