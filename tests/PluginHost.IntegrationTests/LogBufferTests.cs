using System.Text.Json;
using System.Text.RegularExpressions;
using PluginHost.IntegrationTests.Infrastructure;
using PluginHost.Serving;

namespace PluginHost.IntegrationTests;

/// <summary>
/// Issue 17: logging never blocks a request. The host's real buffered sink setup (<see cref="LoggerSetup.WriteToBuffered"/>)
/// in front of a sink that has stopped taking events: a request that logs far more than the buffer holds still completes,
/// the overflow is dropped, and the count is reported in metrics, in status and, once the sink moves again, in the log.
/// </summary>
public sealed partial class LogBufferTests : IDisposable
{
    private const int BufferSize = 100;
    private const int Burst = 5_000;
    private readonly TempReleases _releases = new();

    public void Dispose() => _releases.Dispose();

    [Fact]
    public async Task Request_LogsMoreThanTheBufferWhileTheSinkIsBlocked_CompletesDropsAndReportsTheCount()
    {
        _releases.CreateRelease("v1", ("LogsBurst", "LogsBurst"));
        _releases.Promote("v1");
        _releases.WriteConfig("""
            releases:
              root: releases
            apps:
              - name: LogsBurst
                mount: /
                assembly: LogsBurst/LogsBurst.dll
            """);
        GatedSink? gate = null;
        await using var host = await HostRunner.StartAsync(_releases.ConfigPath, logging: (writeTo, logs, buffers) =>
            LoggerSetup.WriteToBuffered(writeTo, "gated", BufferSize, buffers, sink => sink.Sink(gate = new GatedSink(logs))));
        try
        {
            await Eventually.WaitAsync(() => gate!.IsHolding, "the sink to hold the first event");
            var receivedBefore = host.Logs.Events.Count;

            var answer = await host.Client.GetStringAsync($"/log?count={Burst}").WaitAsync(TimeSpan.FromSeconds(30));
            var status = await host.GetJsonAsync("/_pluginhost/status");
            var metrics = await host.Client.GetStringAsync("/_pluginhost/metrics");

            Assert.Equal($"logged {Burst}", answer);
            Assert.True(gate!.IsHolding, "the sink should still be blocked: the request completed without it");
            Assert.Equal(receivedBefore, host.Logs.Events.Count);
            var logging = status.GetProperty("logging");
            var dropped = logging.GetProperty("dropped").GetInt64();
            // The buffer holds BufferSize events and the sink holds one: the rest of the burst was dropped.
            Assert.InRange(dropped, Burst - BufferSize - 1, long.MaxValue);
            var buffer = Assert.Single(logging.GetProperty("buffers").EnumerateArray());
            Assert.Equal("gated", buffer.GetProperty("sink").GetString());
            Assert.Equal(BufferSize, buffer.GetProperty("capacity").GetInt32());
            Assert.Equal(BufferSize, buffer.GetProperty("buffered").GetInt32());
            Assert.Equal(dropped, buffer.GetProperty("dropped").GetInt64());
            var metric = DroppedMetric().Match(metrics);
            Assert.True(metric.Success, $"no pluginhost_log_events_dropped_total for the sink in:\n{metrics}");
            // Scraped after the status request, whose own request-log event was dropped too.
            Assert.InRange(long.Parse(metric.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), dropped, long.MaxValue);
        }
        finally
        {
            gate?.Open();
        }

        // Once the sink takes events again, the drop is told in the log itself (the first warning may itself have been
        // dropped while the buffer was full; the next one, at most 10 s later, counts it).
        await Eventually.WaitAsync(() => host.Logs.Events.Any(e => CollectingSink.EventName(e) == "LogEventsDropped"),
            "a LogEventsDropped warning", TimeSpan.FromSeconds(30));
        var warning = host.Logs.Events.First(e => CollectingSink.EventName(e) == "LogEventsDropped");
        Assert.Equal(Serilog.Events.LogEventLevel.Warning, warning.Level);
        Assert.Contains("gated", CollectingSink.Property(warning, "Sinks"), StringComparison.Ordinal);
    }

    [GeneratedRegex("""pluginhost_log_events_dropped_total\{sink="gated"\} ([0-9]+)\n""")]
    private static partial Regex DroppedMetric();
}
