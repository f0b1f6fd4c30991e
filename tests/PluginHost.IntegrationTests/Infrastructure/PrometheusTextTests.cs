namespace PluginHost.IntegrationTests.Infrastructure;

/// <summary>The scrape parser the metrics assertions rely on: a series that is not there must not read as 0.</summary>
public sealed class PrometheusTextTests
{
    private readonly PrometheusText _sut = new("""
        # TYPE pluginhost_requests_total counter
        pluginhost_requests_total{app="Api",status_class="2xx"} 3
        pluginhost_requests_total{app="Api",status_class="5xx"} 1
        pluginhost_generations_leaked 0

        """.Replace("\r\n", "\n", StringComparison.Ordinal));

    [Fact]
    public void Value_SeriesPresent_ReturnsItsValue()
    {
        Assert.Equal(3, _sut.Value("pluginhost_requests_total", ("app", "Api"), ("status_class", "2xx")));
        Assert.Equal(0, _sut.Value("pluginhost_generations_leaked"));
    }

    [Fact]
    public void Value_SeriesMissing_ThrowsNamingMetricAndLabels()
    {
        var error = Assert.Throws<KeyNotFoundException>(() => _sut.Value("pluginhost_requests_total", ("app", "Api"), ("status_class", "4xx")));

        Assert.Contains("pluginhost_requests_total{app=\"Api\",status_class=\"4xx\"}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Value_MetricMissing_Throws()
    {
        var error = Assert.Throws<KeyNotFoundException>(() => _sut.Value("pluginhost_requests_in_flight", ("app", "Api")));

        Assert.Contains("pluginhost_requests_in_flight{app=\"Api\"}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Value_SeveralSeriesMatch_Throws() =>
        Assert.Throws<InvalidOperationException>(() => _sut.Value("pluginhost_requests_total", ("app", "Api")));

    [Fact]
    public void Contains_PresentAndMissingSeries_SaysWhich()
    {
        Assert.True(_sut.Contains("pluginhost_requests_total", ("status_class", "5xx")));
        Assert.False(_sut.Contains("pluginhost_requests_total", ("status_class", "4xx")));
    }
}
