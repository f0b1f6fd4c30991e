using System.Net;
using System.Net.Http.Headers;
using PluginHost.IntegrationTests.Infrastructure;

namespace PluginHost.IntegrationTests.Policy;

/// <summary>Issue 5: admin.allow, the admin token and admin.urls, over real HTTP.</summary>
public sealed class AdminSurfaceTests : HostPerTest
{
    protected override void Arrange()
    {
        Releases.CreateSampleRelease("v1");
        Releases.Promote("v1");
    }

    private async Task<HostRunner> StartAsync(string admin)
    {
        Releases.WriteSampleConfig(admin);
        return await StartHostAsync();
    }

    [Fact]
    public async Task Status_AllowExcludesLoopback_403AndLogged()
    {
        var host = await StartAsync("""
            admin:
              allow: [10.0.0.0/8, 192.168.0.0/16]
            """);

        using var status = await host.Client.GetAsync("/_pluginhost/status");
        using var reload = await host.Client.PostAsync("/_pluginhost/reload", null);

        Assert.Equal(HttpStatusCode.Forbidden, status.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, reload.StatusCode);
        Assert.Contains(host.Logs.Messages, m => m.Contains("Admin request from \"127.0.0.1\"", StringComparison.Ordinal) && m.Contains("403", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Status_TokenSet_401WithoutItAndOkWithIt()
    {
        var host = await StartAsync("""
            admin:
              token: s3cret-admin-token
            """);

        using var without = await host.Client.GetAsync("/_pluginhost/status");
        using var wrong = await SendAsync(host.Client, "/_pluginhost/status", "wrong-token");
        using var right = await SendAsync(host.Client, "/_pluginhost/status", "s3cret-admin-token");

        Assert.Equal(HttpStatusCode.Unauthorized, without.StatusCode);
        Assert.StartsWith("Bearer", without.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        Assert.Contains("\"generation\"", await right.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        Assert.Contains(host.Logs.Messages, m => m.Contains("refused with 401", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Status_TokenFromEnvironment_Required()
    {
        var variable = "PLUGINHOST_TEST_TOKEN_" + Guid.NewGuid().ToString("N")[..8];
        Environment.SetEnvironmentVariable(variable, "from-env-token");
        try
        {
            var host = await StartAsync($"""
                admin:
                  tokenEnv: {variable}
                """);

            using var without = await host.Client.GetAsync("/_pluginhost/status");
            using var right = await SendAsync(host.Client, "/_pluginhost/status", "from-env-token");

            Assert.Equal(HttpStatusCode.Unauthorized, without.StatusCode);
            Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Fact]
    public async Task AdminUrls_SeparatePort_AdminOnlyThereAndAppsOnlyOnTheAppPort()
    {
        var adminPort = HostRunner.FreePort();
        var host = await StartAsync($"""
            admin:
              urls: [http://127.0.0.1:{adminPort}]
            """);
        using var admin = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{adminPort}") };

        using var statusOnAdminPort = await admin.GetAsync("/_pluginhost/status");
        using var appOnAdminPort = await admin.GetAsync("/api/v1/version");
        using var statusOnAppPort = await host.Client.GetAsync("/_pluginhost/status");
        using var reloadOnAppPort = await host.Client.PostAsync("/_pluginhost/reload", null);
        using var appOnAppPort = await host.Client.GetAsync("/api/v1/version");

        Assert.Equal(HttpStatusCode.OK, statusOnAdminPort.StatusCode);
        Assert.Contains("ReportingApi", await statusOnAdminPort.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, appOnAdminPort.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, statusOnAppPort.StatusCode);
        Assert.NotEqual(HttpStatusCode.Accepted, reloadOnAppPort.StatusCode);
        Assert.Equal(HttpStatusCode.OK, appOnAppPort.StatusCode);
    }

    [Fact]
    public async Task AdminUrls_NonAdminPathOnAdminPort_404LoggedAndCountedAsNoApp()
    {
        var adminPort = HostRunner.FreePort();
        var host = await StartAsync($"""
            admin:
              urls: [http://127.0.0.1:{adminPort}]
            """);
        using var admin = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{adminPort}") };

        using var appOnAdminPort = await admin.GetAsync("/api/v1/version?from=admin-port");
        var metrics = new PrometheusText(await admin.GetStringAsync("/_pluginhost/metrics"));

        Assert.Equal(HttpStatusCode.NotFound, appOnAdminPort.StatusCode);
        Assert.Equal(1, metrics.Value("pluginhost_requests_total", ("app", "(none)"), ("status_class", "4xx")));
        Assert.Equal(1, metrics.Value("pluginhost_request_duration_seconds_count", ("app", "(none)"), ("status_class", "4xx")));
        Assert.False(metrics.Contains("pluginhost_requests_total", ("app", "ReportingApi")), "the admin port must not reach the app");
        await Eventually.WaitAsync(() => RequestEvents(host, "/api/v1/version").Count > 0, "the request log event of the 404 on the admin port");
        var logged = Assert.Single(RequestEvents(host, "/api/v1/version"));
        Assert.Equal("HostRequestCompleted", CollectingSink.EventName(logged));
        Assert.Equal("GET", CollectingSink.Property(logged, "RequestMethod"));
        Assert.Equal("404", CollectingSink.Property(logged, "StatusCode"));
        Assert.Equal("(none)", CollectingSink.Property(logged, "App"));
        Assert.NotNull(CollectingSink.Property(logged, "Elapsed"));
    }

    private static List<Serilog.Events.LogEvent> RequestEvents(HostRunner host, string path) =>
        host.Logs.Events.Where(e => CollectingSink.EventName(e) is "RequestCompleted" or "HostRequestCompleted"
            && CollectingSink.Property(e, "RequestPath") == path).ToList();

    private static Task<HttpResponseMessage> SendAsync(HttpClient client, string path, string token)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client.SendAsync(request);
    }
}
