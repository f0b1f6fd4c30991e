using System.Net;
using System.Text.Json;
using PluginHost.IntegrationTests.Infrastructure;

namespace PluginHost.IntegrationTests.Policy;

/// <summary>Issue 12: {admin}/healthz and {admin}/readyz, with the health checks an app registered run and shown in status.</summary>
public sealed class HealthEndpointTests : HostPerTest
{
    private const string Apps = """
        apps:
          - name: ReportingApi
            mount: /api/v1
            assembly: ReportingApi/ReportingApi.dll
          - name: Reports
            mount: /reports
            assembly: Reports/ReportsHealth.dll
        """;

    protected override void Arrange()
    {
        Releases.CreateRelease("v1", ("ReportingApi", "ReportingApi"), ("Reports", "ReportsHealth"));
        Releases.Promote("v1");
    }

    [Fact]
    public async Task HealthzAndReadyz_AllChecksHealthy_200WithEachAppsChecks()
    {
        PolicyConfig.Write(Releases, Apps);
        var host = await StartHostAsync();

        using var healthz = await host.Client.GetAsync("/_pluginhost/healthz");
        using var readyz = await host.Client.GetAsync("/_pluginhost/readyz");
        var body = JsonDocument.Parse(await readyz.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.OK, healthz.StatusCode);
        Assert.Equal("Healthy", await healthz.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, readyz.StatusCode);
        Assert.True(body.GetProperty("ready").GetBoolean());
        Assert.Equal("v1", body.GetProperty("version").GetString());
        var reports = body.GetProperty("apps").GetProperty("Reports");
        Assert.Equal("Healthy", reports.GetProperty("status").GetString());
        Assert.Equal(["database", "self"], reports.GetProperty("checks").EnumerateArray().Select(c => c.GetProperty("name").GetString()).Order());
        // ReportingApi registers no checks: it is ready when it serves.
        Assert.Equal("Healthy", body.GetProperty("apps").GetProperty("ReportingApi").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Readyz_AnAppsCheckUnhealthy_503NamingTheCheckAndStatusShowsIt()
    {
        PolicyConfig.Write(Releases, Apps);
        var host = await StartHostAsync();

        (await host.Client.PostAsync("/reports/database/down", null)).EnsureSuccessStatusCode();
        using var readyz = await host.Client.GetAsync("/_pluginhost/readyz");
        var body = JsonDocument.Parse(await readyz.Content.ReadAsStringAsync()).RootElement;
        var status = await host.GetJsonAsync("/_pluginhost/status");
        (await host.Client.PostAsync("/reports/database/up", null)).EnsureSuccessStatusCode();
        using var again = await host.Client.GetAsync("/_pluginhost/readyz");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, readyz.StatusCode);
        Assert.False(body.GetProperty("ready").GetBoolean());
        var database = body.GetProperty("apps").GetProperty("Reports").GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "database");
        Assert.Equal("Unhealthy", database.GetProperty("status").GetString());
        Assert.Equal("the database does not answer", database.GetProperty("description").GetString());
        var reports = status.GetProperty("apps").EnumerateArray().Single(a => a.GetProperty("name").GetString() == "Reports");
        Assert.Equal("Unhealthy", reports.GetProperty("health").GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
    }

    [Fact]
    public async Task HealthzAndReadyz_ClientOutsideAdminAllow_403()
    {
        PolicyConfig.Write(Releases, "admin:\n  allow: [10.0.0.0/8]\n" + Apps);
        var host = await StartHostAsync();

        using var healthz = await host.Client.GetAsync("/_pluginhost/healthz");
        using var readyz = await host.Client.GetAsync("/_pluginhost/readyz");

        Assert.Equal(HttpStatusCode.Forbidden, healthz.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, readyz.StatusCode);
    }

    [Fact]
    public async Task Readyz_ThenReload_RetiredGenerationWithHealthChecksIsCollected()
    {
        PolicyConfig.Write(Releases, Apps);
        var host = await StartHostAsync();
        (await host.Client.GetAsync("/_pluginhost/readyz")).Dispose();
        var before = host.GenerationNumber;

        Releases.Touch();
        await host.WaitForGenerationAsync(before, "a reload");
        (await host.Client.GetAsync("/_pluginhost/readyz")).Dispose();

        Assert.Empty(await host.CollectRetiredAsync());
    }
}
