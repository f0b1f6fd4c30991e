using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using PluginHost.Core.Generations;
using PluginHost.Core.Reloading;
using PluginHost.Core.Telemetry;

namespace PluginHost.Core.Tests.Telemetry;

public sealed class PrometheusExporterTests : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly LogBuffers _logBuffers = new();
    private readonly PluginHostMetrics _metrics;
    private readonly PrometheusExporter _sut;

    public PrometheusExporterTests()
    {
        _metrics = NewMetrics(_services, _logBuffers);
        _sut = new PrometheusExporter(_metrics);
    }

    public void Dispose()
    {
        _sut.Dispose();
        _services.Dispose();
    }

    [Fact]
    public void Scrape_AfterRequests_WritesCumulativeBucketsSumAndCount()
    {
        _metrics.RequestCompleted("Api", 200, TimeSpan.FromMilliseconds(2));
        _metrics.RequestCompleted("Api", 204, TimeSpan.FromMilliseconds(200));
        _metrics.RequestCompleted("Api", 201, TimeSpan.FromSeconds(40));

        var text = _sut.Scrape();

        Assert.Contains("pluginhost_requests_total{app=\"Api\",status_class=\"2xx\"} 3\n", text);
        Assert.Contains("pluginhost_request_duration_seconds_bucket{app=\"Api\",status_class=\"2xx\",le=\"0.001\"} 0\n", text);
        Assert.Contains("pluginhost_request_duration_seconds_bucket{app=\"Api\",status_class=\"2xx\",le=\"0.0025\"} 1\n", text);
        Assert.Contains("pluginhost_request_duration_seconds_bucket{app=\"Api\",status_class=\"2xx\",le=\"0.25\"} 2\n", text);
        Assert.Contains("pluginhost_request_duration_seconds_bucket{app=\"Api\",status_class=\"2xx\",le=\"30\"} 2\n", text);
        Assert.Contains("pluginhost_request_duration_seconds_bucket{app=\"Api\",status_class=\"2xx\",le=\"+Inf\"} 3\n", text);
        Assert.Contains("pluginhost_request_duration_seconds_count{app=\"Api\",status_class=\"2xx\"} 3\n", text);
        Assert.Contains("pluginhost_request_duration_seconds_sum{app=\"Api\",status_class=\"2xx\"} 40.202\n", text);
        Assert.Contains("# TYPE pluginhost_request_duration_seconds histogram\n", text);
    }

    [Fact]
    public void Scrape_ReloadResults_CountedPerResultWithDurationInSeconds()
    {
        _metrics.ReloadCompleted(new ReloadResult(DateTimeOffset.UnixEpoch, "startup", true, null, 250, "v1", 1));
        _metrics.ReloadCompleted(new ReloadResult(DateTimeOffset.UnixEpoch, "trigger", false, "boom", 40, "v1", 1));

        var text = _sut.Scrape();

        Assert.Contains("pluginhost_reloads_total{result=\"ok\"} 1\n", text);
        Assert.Contains("pluginhost_reloads_total{result=\"failed\"} 1\n", text);
        Assert.Contains("pluginhost_reload_duration_seconds_sum{result=\"ok\"} 0.25\n", text);
        Assert.Contains("pluginhost_generations_alive 0\n", text);
        Assert.Contains("pluginhost_generations_leaked 0\n", text);
    }

    [Fact]
    public void Scrape_LogBuffersDroppedEvents_CounterPerSinkAndBufferedGauge()
    {
        var console = new FakeLogBuffer("console", capacity: 100) { Buffered = 100, Dropped = 1234 };
        _logBuffers.Add(console);
        _logBuffers.Add(new FakeLogBuffer("file", capacity: 100) { Buffered = 7 });

        var first = _sut.Scrape();
        console.Dropped = 1300;
        var second = _sut.Scrape();

        Assert.Contains("# TYPE pluginhost_log_events_dropped_total counter\n", first);
        Assert.Contains("pluginhost_log_events_dropped_total{sink=\"console\"} 1234\n", first);
        Assert.Contains("pluginhost_log_events_dropped_total{sink=\"file\"} 0\n", first);
        Assert.Contains("pluginhost_log_events_buffered{sink=\"file\"} 7\n", first);
        Assert.Contains("pluginhost_log_events_dropped_total{sink=\"console\"} 1300\n", second);
    }

    [Fact]
    public void Scrape_NoLogBuffers_DroppedCounterWithoutSeries()
    {
        var text = _sut.Scrape();

        Assert.Contains("# TYPE pluginhost_log_events_dropped_total counter\n", text);
        Assert.DoesNotContain("pluginhost_log_events_dropped_total{", text);
    }

    [Fact]
    public void Scrape_LabelValueWithQuoteAndBackslash_Escaped()
    {
        _metrics.RequestCompleted("a\"b\\c", 500, TimeSpan.Zero);

        Assert.Contains("pluginhost_requests_total{app=\"a\\\"b\\\\c\",status_class=\"5xx\"} 1\n", _sut.Scrape());
    }

    [Fact]
    public void Scrape_AnotherHostsMeterInTheSameProcess_NotMixedIn()
    {
        using var otherServices = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var other = NewMetrics(otherServices, new LogBuffers());

        other.RequestCompleted("Api", 200, TimeSpan.Zero);

        Assert.DoesNotContain("pluginhost_requests_total{", _sut.Scrape());
    }

    [Fact]
    public void RequestCompleted_SeriesAlreadySeen_AllocatesNothing()
    {
        _metrics.RequestCompleted("Api", 200, TimeSpan.FromMilliseconds(1));
        var before = GC.GetAllocatedBytesForCurrentThread();

        for (var i = 0; i < 1000; i++)
        {
            _metrics.RequestCompleted("Api", 200, TimeSpan.FromMilliseconds(1));
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Theory]
    [InlineData(101, "1xx")]
    [InlineData(200, "2xx")]
    [InlineData(308, "3xx")]
    [InlineData(499, "4xx")]
    [InlineData(503, "5xx")]
    [InlineData(0, "other")]
    [InlineData(600, "other")]
    public void StatusClass_Code_GroupsByHundreds(int code, string expected) =>
        Assert.Equal(expected, PluginHostMetrics.StatusClass(code));

    private static PluginHostMetrics NewMetrics(IServiceProvider services, LogBuffers logBuffers) =>
        new(services.GetRequiredService<IMeterFactory>(), new CurrentGeneration(),
            new UnloadTracker(TimeProvider.System, NullLogger<UnloadTracker>.Instance, TimeSpan.FromSeconds(1)), logBuffers);
}
