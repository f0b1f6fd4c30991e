using System.Net;
using PluginHost.Core.Configuration;
using PluginHost.Core.Generations;
using PluginHost.IntegrationTests.Infrastructure;

namespace PluginHost.IntegrationTests;

/// <summary>Issue 2: both sample apps served from a real release on one real Kestrel port.</summary>
public sealed class CoreHostTests : HostedTest
{
    protected override void Arrange()
    {
        Releases.CreateSampleRelease("v1.4.0");
        Releases.Promote("v1.4.0");
        // WebApp ("/") is listed before ReportingApi ("/api/v1") on purpose: routing must not depend on order.
        Releases.WriteSampleConfig();
    }

    [Fact]
    public async Task Version_ServedByReportingApi_CarriesReleaseGenerationAndAggregation()
    {
        var json = await Host.GetJsonAsync("/api/v1/version");

        Assert.Equal("ReportingApi", json.GetProperty("app").GetString());
        Assert.Equal("v1.4.0", json.GetProperty("version").GetString());
        Assert.Equal(1, json.GetProperty("generation").GetInt64());
        Assert.Equal("sum-v1", json.GetProperty("aggregation").GetProperty("algorithm").GetString());
        Assert.Equal(10, json.GetProperty("aggregation").GetProperty("total").GetDouble());
    }

    [Fact]
    public async Task WebApp_FilesTheHostsRulesRefuse_NotServedThroughTheSample()
    {
        // Issue 12: the sample served these through its own file provider.
        var wwwroot = Path.Combine(Releases.ReleasesRoot, "v1.4.0", "WebApp", "wwwroot");
        await File.WriteAllTextAsync(Path.Combine(wwwroot, "appsettings.json"), "{\"secret\": \"s3cr3t\"}");
        var outside = Path.Combine(Releases.Root, "outside.txt");
        await File.WriteAllTextAsync(outside, "outside the release");
        File.CreateSymbolicLink(Path.Combine(wwwroot, "leak.txt"), outside);

        var settings = await Host.Client.GetAsync("/appsettings.json");
        var leak = await Host.Client.GetAsync("/leak.txt");
        var css = await Host.Client.GetAsync("/css/site.css");

        Assert.Equal(HttpStatusCode.NotFound, settings.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, leak.StatusCode);
        Assert.Equal(HttpStatusCode.OK, css.StatusCode);
    }

    [Fact]
    public async Task Settings_FromConfigYaml_ReachTheApp()
    {
        var json = await Host.GetJsonAsync("/api/v1/version");
        var page = await Host.Client.GetStringAsync("/");

        Assert.Equal("Test report", json.GetProperty("reportTitle").GetString());
        Assert.Contains("Test site", page);
    }

    [Fact]
    public async Task Root_ServedByWebApp_WithCssFromTheReleaseFolder()
    {
        var page = await Host.Client.GetStringAsync("/");
        var css = await Host.Client.GetAsync("/css/site.css");

        Assert.Contains("href=\"/css/site.css\"", page);
        Assert.Contains("v1.4.0", page);
        Assert.Equal(HttpStatusCode.OK, css.StatusCode);
        Assert.Equal("text/css", css.Content.Headers.ContentType?.MediaType);
        var onDisk = await File.ReadAllTextAsync(Path.Combine(Releases.ReleasesRoot, "v1.4.0", "WebApp", "wwwroot", "css", "site.css"));
        Assert.Equal(onDisk, await css.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("/api/v1/version", "ReportingApi")]
    [InlineData("/API/V1/version", "ReportingApi")]
    [InlineData("/about", "WebApp")]
    [InlineData("/api/v10/version", "WebApp")]
    [InlineData("/api/version", "WebApp")]
    public async Task Mounts_LongestSegmentPrefix_PicksTheApp(string path, string expectedApp)
    {
        using var response = await Host.Client.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();

        if (expectedApp == "ReportingApi")
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Contains("\"app\":\"ReportingApi\"", body);
        }
        else
        {
            Assert.DoesNotContain("ReportingApi", body);
            Assert.True(path == "/about" ? response.IsSuccessStatusCode : response.StatusCode == HttpStatusCode.NotFound, $"{path}: {response.StatusCode}");
        }
    }

    [Fact]
    public async Task Status_AfterStartup_DescribesEveryAppAndTheFirstLoad()
    {
        var before = DateTimeOffset.UtcNow;
        (await Host.Client.GetAsync("/api/v1/version")).Dispose();

        var status = await Host.GetJsonAsync("/_pluginhost/status");

        var apps = status.GetProperty("apps").EnumerateArray().ToDictionary(a => a.GetProperty("name").GetString()!);
        Assert.Equal(["ReportingApi", "WebApp"], apps.Keys.Order());
        var api = apps["ReportingApi"];
        Assert.Equal("/api/v1", api.GetProperty("mount").GetString());
        Assert.Equal("/", apps["WebApp"].GetProperty("mount").GetString());
        Assert.Equal("v1.4.0", api.GetProperty("version").GetString());
        Assert.Equal(1, api.GetProperty("generation").GetInt64());
        Assert.InRange(api.GetProperty("loadedAt").GetDateTimeOffset(), before.AddMinutes(-5), DateTimeOffset.UtcNow);
        Assert.Equal(0, api.GetProperty("inFlight").GetInt64());
        Assert.Equal(1, api.GetProperty("requests").GetInt64());
        Assert.Equal(0, api.GetProperty("retiredAlive").GetInt32());
        Assert.Equal(0, api.GetProperty("leaked").GetInt32());
        var last = status.GetProperty("lastReload");
        Assert.True(last.GetProperty("ok").GetBoolean());
        Assert.Equal("startup", last.GetProperty("trigger").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, last.GetProperty("error").ValueKind);
        Assert.True(last.GetProperty("durationMs").GetInt64() > 0);
        Assert.InRange(last.GetProperty("at").GetDateTimeOffset(), before.AddMinutes(-5), DateTimeOffset.UtcNow);
    }

    [Fact]
    public async Task AppLogs_CarryAppVersionAndGeneration()
    {
        await Host.GetJsonAsync("/api/v1/version");

        var served = Host.Logs.Events.Last(e => e.MessageTemplate.Text.StartsWith("Served version", StringComparison.Ordinal));
        Assert.Equal("ReportingApi", CollectingSink.Property(served, "App"));
        Assert.Equal("v1.4.0", CollectingSink.Property(served, "Version"));
        Assert.Equal("1", CollectingSink.Property(served, "Generation"));
        Assert.Contains(Host.Logs.Events, e => e.MessageTemplate.Text.StartsWith("Loaded {App}", StringComparison.Ordinal)
            && CollectingSink.Property(e, "App") == "WebApp" && e.Properties.ContainsKey("LoadMs"));
    }
}

/// <summary>Issue 2: apps bound to virtual hosts (<c>hosts:</c>) beside a catch-all app on the same mount.</summary>
public sealed class VirtualHostTests : HostedTest
{
    protected override void Arrange()
    {
        Releases.CreateSampleRelease("v1");
        Releases.Promote("v1");
        Releases.WriteConfig("""
            releases:
              root: releases
            apps:
              - name: WebApp
                mount: /
                assembly: WebApp/WebApp.dll
              - name: ReportingApi
                mount: /
                hosts: [reports.example.com]
                assembly: ReportingApi/ReportingApi.dll
            """);
    }

    [Theory]
    [InlineData("reports.example.com", "ReportingApi")]
    [InlineData("REPORTS.example.com:8080", "ReportingApi")]
    [InlineData("www.example.com", "WebApp")]
    [InlineData("127.0.0.1", "WebApp")]
    public async Task Request_HostHeader_PicksTheAppBoundToThatHostElseTheCatchAll(string hostHeader, string expectedApp)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/version");
        request.Headers.Host = hostHeader;

        using var response = await Host.Client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();

        if (expectedApp == "ReportingApi")
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Contains("\"app\":\"ReportingApi\"", body);
        }
        else
        {
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Contains(Host.Logs.Events, e => CollectingSink.Property(e, "App") == "WebApp" && CollectingSink.Property(e, "RequestPath") == "/version");
        }
    }
}

/// <summary>Issue 2: start-up failures stop the host with one clear message.</summary>
public sealed class StartupFailureTests : IDisposable
{
    private readonly TempReleases _releases = new();

    public void Dispose() => _releases.Dispose();

    [Fact]
    public async Task Start_MissingAppAssembly_FailsNamingAppAndFile()
    {
        _releases.CreateSampleRelease("v1");
        File.Delete(Path.Combine(_releases.ReleasesRoot, "v1", "ReportingApi", "ReportingApi.dll"));
        _releases.Promote("v1");
        _releases.WriteSampleConfig();

        var error = await Assert.ThrowsAsync<GenerationBuildException>(() => HostRunner.StartAsync(_releases.ConfigPath));

        Assert.Contains("app 'ReportingApi'", error.Message);
        Assert.Contains(Path.Combine("ReportingApi", "ReportingApi.dll"), error.Message);
        Assert.Contains("assembly not found", error.Message);
    }

    [Fact]
    public async Task Start_MissingPrivateDependency_FailsNamingTheDependency()
    {
        _releases.CreateSampleRelease("v1");
        File.Delete(Path.Combine(_releases.ReleasesRoot, "v1", "ReportingApi", "ReportingApi.Aggregation.dll"));
        _releases.Promote("v1");
        _releases.WriteSampleConfig();

        var error = await Assert.ThrowsAsync<GenerationBuildException>(() => HostRunner.StartAsync(_releases.ConfigPath));

        Assert.Contains("app 'ReportingApi'", error.Message);
        Assert.Contains("ReportingApi.Aggregation", error.Message);
        Assert.DoesNotContain("   at ", error.Message);
    }

    [Fact]
    public async Task Serve_MissingPrivateDependency_ExitsOneWithOneErrorLineAndNoStackTrace()
    {
        _releases.CreateSampleRelease("v1");
        File.Delete(Path.Combine(_releases.ReleasesRoot, "v1", "ReportingApi", "ReportingApi.Aggregation.dll"));
        _releases.Promote("v1");
        _releases.WriteSampleConfig();
        using var host = HostProcess.Start(_releases.ConfigPath);

        var exitCode = await host.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(1, exitCode);
        var errors = host.Output.Split('\n').Where(l => l.Contains(" ERR] ", StringComparison.Ordinal) || l.Contains(" FTL] ", StringComparison.Ordinal)).ToList();
        var error = Assert.Single(errors);
        Assert.Contains("Cannot start: app 'ReportingApi'", error);
        Assert.Contains(Path.Combine("ReportingApi", "ReportingApi.Aggregation.dll"), error);
        Assert.DoesNotContain("   at ", host.Output);
    }

    [Fact]
    public async Task Start_IncompatibleContract_FailsNamingBothVersions()
    {
        _releases.CreateRelease("v1", ("Bad", "IncompatibleContract"));
        _releases.Promote("v1");
        _releases.WriteConfig("""
            apps:
              - name: Bad
                mount: /
                assembly: Bad/IncompatibleContract.dll
            """);

        var error = await Assert.ThrowsAsync<GenerationBuildException>(() => HostRunner.StartAsync(_releases.ConfigPath));

        Assert.Contains("app 'Bad'", error.Message);
        Assert.Contains("2.0.0.0", error.Message);
        Assert.Contains("rebuild the plugin", error.Message);
    }

    [Fact]
    public async Task Start_MalformedConfig_FailsWithFileLineAndKey()
    {
        _releases.WriteConfig("""
            apps:
              - name: WebApp
                mount: /
                assembly: WebApp/WebApp.dll
                colour: blue
            """);

        var error = await Assert.ThrowsAsync<ConfigException>(() => HostRunner.StartAsync(_releases.ConfigPath));

        Assert.Contains("config.yaml:5", error.Message);
        Assert.Contains("colour", error.Message);
    }

    [Fact]
    public async Task Start_DanglingProductionSymlink_FailsNamingTheLink()
    {
        File.CreateSymbolicLink(_releases.ProductionLink, "v9");
        _releases.WriteSampleConfig();

        var error = await Assert.ThrowsAsync<GenerationBuildException>(() => HostRunner.StartAsync(_releases.ConfigPath));

        Assert.Contains("production", error.Message);
        Assert.Contains("dangling", error.Message);
    }
}
