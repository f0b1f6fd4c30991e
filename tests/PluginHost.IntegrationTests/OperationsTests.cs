using System.Globalization;
using System.Net;
using System.Text.Encodings.Web;
using System.Text.RegularExpressions;
using PluginHost.IntegrationTests.Infrastructure;

namespace PluginHost.IntegrationTests;

/// <summary>Issue 6: request log events, Prometheus metrics and the status page, on the real in-process host.</summary>
public sealed partial class OperationsTests : HostedTest
{
    protected override void Arrange()
    {
        Releases.CreateSampleRelease("v1.0.0");
        Releases.Promote("v1.0.0");
        // The metrics test counts the replaced generation as collected: no warm standby holds it.
        Releases.WriteSampleConfig(keepPrevious: false);
    }

    [Fact]
    public async Task RequestLog_AppRequest_OneEventWithMethodPathStatusElapsedAppVersionGeneration()
    {
        using var response = await Host.Client.GetAsync("/api/v1/version?probe=1");

        var events = await WaitForRequestEventsAsync("/api/v1/version", 1);
        var logged = Assert.Single(events);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("RequestCompleted", CollectingSink.EventName(logged));
        Assert.Equal("GET", CollectingSink.Property(logged, "RequestMethod"));
        Assert.Equal("200", CollectingSink.Property(logged, "StatusCode"));
        Assert.True(double.Parse(CollectingSink.Property(logged, "Elapsed")!, System.Globalization.CultureInfo.InvariantCulture) >= 0);
        Assert.Equal("ReportingApi", CollectingSink.Property(logged, "App"));
        Assert.Equal("v1.0.0", CollectingSink.Property(logged, "Version"));
        Assert.Equal("1", CollectingSink.Property(logged, "Generation"));
    }

    [Fact]
    public async Task RequestLog_AdminRequest_HostEventWithoutVersionOrGeneration()
    {
        using var response = await Host.Client.GetAsync("/_pluginhost/status");

        var logged = Assert.Single(await WaitForRequestEventsAsync("/_pluginhost/status", 1));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("HostRequestCompleted", CollectingSink.EventName(logged));
        Assert.Equal("GET", CollectingSink.Property(logged, "RequestMethod"));
        Assert.Equal("200", CollectingSink.Property(logged, "StatusCode"));
        Assert.NotNull(CollectingSink.Property(logged, "Elapsed"));
        Assert.Equal("(admin)", CollectingSink.Property(logged, "App"));
        Assert.False(logged.Properties.ContainsKey("Version"));
        Assert.False(logged.Properties.ContainsKey("Generation"));
        Assert.DoesNotContain("null", logged.RenderMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RequestLog_NotFoundInApp_LoggedWithItsStatusAndApp()
    {
        using var response = await Host.Client.GetAsync("/no/such/page");

        var logged = Assert.Single(await WaitForRequestEventsAsync("/no/such/page", 1));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("404", CollectingSink.Property(logged, "StatusCode"));
        Assert.Equal("WebApp", CollectingSink.Property(logged, "App"));
    }

    [Fact]
    public async Task Metrics_AfterRequestsAndReloads_CountsPerAppStatusClassAndResult()
    {
        for (var i = 0; i < 5; i++)
        {
            (await Host.Client.GetAsync("/api/v1/version")).Dispose();
        }

        (await Host.Client.GetAsync("/missing")).Dispose();
        await ReloadThenFailAsync();
        (await Host.Client.GetAsync("/api/v1/version")).Dispose();

        var metrics = new PrometheusText(await Host.Client.GetStringAsync("/_pluginhost/metrics"));

        Assert.Equal(6, metrics.Value("pluginhost_requests_total", ("app", "ReportingApi"), ("status_class", "2xx")));
        Assert.Equal(1, metrics.Value("pluginhost_requests_total", ("app", "WebApp"), ("status_class", "4xx")));
        Assert.Equal(6, metrics.Value("pluginhost_request_duration_seconds_count", ("app", "ReportingApi"), ("status_class", "2xx")));
        Assert.Equal(6, metrics.Value("pluginhost_request_duration_seconds_bucket", ("app", "ReportingApi"), ("status_class", "2xx"), ("le", "+Inf")));
        Assert.True(metrics.Value("pluginhost_request_duration_seconds_sum", ("app", "ReportingApi"), ("status_class", "2xx")) > 0);
        Assert.Equal(2, metrics.Value("pluginhost_reloads_total", ("result", "ok")));
        Assert.Equal(1, metrics.Value("pluginhost_reloads_total", ("result", "failed")));
        Assert.Equal(2, metrics.Value("pluginhost_reload_duration_seconds_count", ("result", "ok")));
        Assert.Equal(1, metrics.Value("pluginhost_reload_duration_seconds_count", ("result", "failed")));
        Assert.Equal(0, metrics.Value("pluginhost_requests_in_flight", ("app", "ReportingApi")));
        Assert.InRange(metrics.Value("pluginhost_generations_alive"), 1, 2);
        Assert.Equal(0, metrics.Value("pluginhost_generations_leaked"));
        Assert.Contains("# TYPE pluginhost_requests_total counter", metrics.Types);
        Assert.Contains("# TYPE pluginhost_request_duration_seconds histogram", metrics.Types);
        Assert.Empty(await Host.CollectRetiredAsync());
        var afterCollect = new PrometheusText(await Host.Client.GetStringAsync("/_pluginhost/metrics"));
        Assert.Equal(1, afterCollect.Value("pluginhost_generations_alive"));
        Assert.Equal(2, afterCollect.Value("pluginhost_generations_collected_total"));
    }

    [Fact]
    public async Task Metrics_AppThrows_CountedAsServerError()
    {
        // Not in the reload test: the in-memory log sink keeps the exception, whose stack trace pins the generation.
        (await Host.Client.GetAsync("/api/v1/throw")).Dispose();

        var metrics = new PrometheusText(await Host.Client.GetStringAsync("/_pluginhost/metrics"));

        Assert.Equal(1, metrics.Value("pluginhost_requests_total", ("app", "ReportingApi"), ("status_class", "5xx")));
        Assert.False(metrics.Contains("pluginhost_requests_total", ("app", "ReportingApi"), ("status_class", "2xx")),
            "no ReportingApi request succeeded, so there should be no 2xx series for it");
        var second = new PrometheusText(await Host.Client.GetStringAsync("/_pluginhost/metrics"));
        Assert.Equal(1, second.Value("pluginhost_requests_total", ("app", "(admin)"), ("status_class", "2xx")));
    }

    [Fact]
    public async Task StatusPage_Get_ServesHtmlWithAppsReleasesAndReloads()
    {
        new PluginHost.Core.Releases.ReleaseStore(Releases.ReleasesRoot, userName: "<tester>").MarkBad("v0.9.0", "broken <on purpose>");
        await ReloadThenFailAsync();
        for (var i = 0; i < 5; i++)
        {
            (await Host.Client.GetAsync("/api/v1/version")).Dispose();
        }

        using var response = await Host.Client.GetAsync("/_pluginhost/");
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<td><code>/api/v1</code></td>", html);
        Assert.Contains("id=\"served-version\">v1.1.0<", html);
        Assert.Contains("<span class=\"badge prod\">production</span>", html);
        Assert.Contains("bad      - -&gt; v0.9.0 by &lt;tester&gt;: broken &lt;on purpose&gt;", html);
        Assert.Contains("<svg id=\"reload-chart\"", html);
        Assert.Matches(HostUptime(), html);

        var api = AppRow().Match(html);
        Assert.True(api.Success, "no row for ReportingApi in the apps table:\n" + html);
        Assert.Matches(AppUptime(), api.Value);
        Assert.Contains("<td class=\"num app-requests\">5</td>", api.Value);
        Assert.Contains("<td class=\"num app-in-flight\">0</td>", api.Value);
        var rate = AppRate().Match(api.Value);
        Assert.True(rate.Success, "no requests/s cell in the ReportingApi row: " + api.Value);
        Assert.True(double.Parse(rate.Groups["rate"].Value, CultureInfo.InvariantCulture) > 0, "5 requests should show a rate above 0: " + api.Value);

        var reloads = Host.Coordinator.History;
        Assert.Equal(3, reloads.Count);
        foreach (var reload in reloads)
        {
            Assert.Contains($"<td class=\"num reload-ms\">{reload.DurationMs}</td>", html);
        }

        var failed = Assert.Single(reloads, r => !r.Ok);
        Assert.False(string.IsNullOrEmpty(failed.Error));
        Assert.Contains($"class=\"error reload-error\">{HtmlEncoder.Default.Encode(failed.Error)}</td>", html);
        Assert.Contains("<span class=\"badge failed\">failed</span>", html);

        var external = ExternalReference().Match(html);
        Assert.False(external.Success, $"the page must not load anything from elsewhere, found '{external.Value}'");
        Assert.DoesNotContain("http://", html.Replace("http://www.w3.org", "", StringComparison.Ordinal));
        Assert.DoesNotContain("https://", html);
    }

    [Fact]
    public async Task AdminSurface_FromOutsideAllowList_Refused()
    {
        Releases.WriteSampleConfig("""
            admin:
              allow: [10.1.2.3]
            """);
        await using var host = await HostRunner.StartAsync(Releases.ConfigPath);

        using var page = await host.Client.GetAsync("/_pluginhost/");
        using var metrics = await host.Client.GetAsync("/_pluginhost/metrics");

        Assert.Equal(HttpStatusCode.Forbidden, page.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, metrics.StatusCode);
    }

    [Fact]
    public async Task RequestLog_DisabledInConfig_NoRequestEventsButMetricsStillCount()
    {
        Releases.WriteSampleConfig("""
            logging:
              requestLog: false
            """);
        await using var host = await HostRunner.StartAsync(Releases.ConfigPath);

        (await host.Client.GetAsync("/api/v1/version")).Dispose();
        var metrics = new PrometheusText(await host.Client.GetStringAsync("/_pluginhost/metrics"));

        Assert.Equal(1, metrics.Value("pluginhost_requests_total", ("app", "ReportingApi"), ("status_class", "2xx")));
        Assert.DoesNotContain(host.Logs.Events, e => e.MessageTemplate.Text.StartsWith("HTTP ", StringComparison.Ordinal));
    }

    private async Task<IReadOnlyList<Serilog.Events.LogEvent>> WaitForRequestEventsAsync(string path, int count)
    {
        IReadOnlyList<Serilog.Events.LogEvent> Matching() =>
            Host.Logs.Events.Where(e => e.MessageTemplate.Text.StartsWith("HTTP {RequestMethod}", StringComparison.Ordinal)
                && CollectingSink.Property(e, "RequestPath") == path).ToList();
        await Eventually.WaitAsync(() => Matching().Count >= count, $"{count} request log events for {path}");
        return Matching();
    }

    [GeneratedRegex("""host up <span id="host-uptime">[0-9]+[dhms]( [0-9]+[hms])?</span>""")]
    private static partial Regex HostUptime();

    [GeneratedRegex("""<tr data-app="ReportingApi">.*?</tr>""", RegexOptions.Singleline)]
    private static partial Regex AppRow();

    [GeneratedRegex("""<td class="num app-up">[0-9]+[dhms]( [0-9]+[hms])?</td>""")]
    private static partial Regex AppUptime();

    [GeneratedRegex("""<td class="num app-rate">(?<rate>[0-9]+\.[0-9])</td>""")]
    private static partial Regex AppRate();

    /// <summary>A src or href to another origin: http://, https:// or protocol-relative //.</summary>
    [GeneratedRegex("""\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", RegexOptions.IgnoreCase)]
    private static partial Regex ExternalReference();

    /// <summary>One good reload (v1.1.0), then one that fails (an empty release): the history both tests read.</summary>
    private async Task ReloadThenFailAsync()
    {
        // A flip alone reloads; a touch beside it is a second event, which a slow machine may not fold into the first.
        Releases.CreateSampleRelease("v1.1.0");
        Releases.Promote("v1.1.0");
        await Host.WaitForGenerationAsync(1, "v1.1.0 served");
        var reloadsBefore = Host.Coordinator.History.Count;
        Directory.CreateDirectory(Path.Combine(Releases.ReleasesRoot, "v-empty"));
        Releases.Promote("v-empty");
        await Host.WaitForReloadResultAsync(reloadsBefore, "failed reload of an empty release recorded");
    }
}
