using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using PluginHost.IntegrationTests.Infrastructure;

namespace PluginHost.IntegrationTests.Edge;

/// <summary>
/// Issue 19: behind a reverse proxy. The tests play the proxy: a client on 127.0.0.2 (another address of this machine)
/// that sets X-Forwarded-For/-Proto/-Host, declared in server.forwardedHeaders.knownProxies or not.
/// </summary>
public sealed class ForwardedHeadersTests : HostPerTest
{
    private static readonly IPAddress Proxy = IPAddress.Parse("127.0.0.2");

    protected override void Arrange()
    {
        Releases.CreateRelease("v1", ("ShowsClient", "ShowsClient"));
        Releases.Promote("v1");
    }

    private Task<HostRunner> StartAsync(string server)
    {
        Releases.WriteConfig($"""
            releases:
              root: releases
            reload:
              trigger: releases/reload.trigger
            admin:
              allow: [127.0.0.0/8, 10.0.0.0/8]
            {server}
            apps:
              - name: ShowsClient
                mount: /
                assembly: ShowsClient/ShowsClient.dll
            """);
        return StartHostAsync();
    }

    private static HttpRequestMessage Forwarded(string path, string client, string proto = "https", string host = "shop.example") =>
        new(HttpMethod.Get, path)
        {
            Headers = { { "X-Forwarded-For", client }, { "X-Forwarded-Proto", proto }, { "X-Forwarded-Host", host } },
        };

    /// <summary>What ShowsClient saw of a request forwarded for <paramref name="client"/> (https, host shop.example).</summary>
    private static async Task<JsonElement> AppSeesAsync(HttpClient sender, string client)
    {
        using var response = await sender.SendAsync(Forwarded("/client", client));
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    [Fact]
    public async Task DeclaredProxy_AppAndRequestLogSeeTheForwardedClientSchemeAndHost()
    {
        var host = await StartAsync("server:\n  forwardedHeaders:\n    knownProxies: [127.0.0.2]");
        using var proxy = TestClients.Create(host.Address, source: Proxy);

        var seen = await AppSeesAsync(proxy, "203.0.113.7");

        Assert.Equal("203.0.113.7", seen.GetProperty("remoteAddress").GetString());
        Assert.Equal("https", seen.GetProperty("scheme").GetString());
        Assert.Equal("shop.example", seen.GetProperty("host").GetString());
        await Eventually.WaitAsync(() => host.Logs.Events.Any(e => CollectingSink.EventName(e) == "RequestCompleted"), "the request logged");
        var logged = host.Logs.Events.Single(e => CollectingSink.EventName(e) == "RequestCompleted");
        Assert.Equal("203.0.113.7", CollectingSink.Property(logged, "ClientAddress"));
    }

    [Fact]
    public async Task DeclaredProxy_AdminJudgesTheForwardedClient()
    {
        var host = await StartAsync("server:\n  forwardedHeaders:\n    knownProxies: [127.0.0.2]");
        using var proxy = TestClients.Create(host.Address, source: Proxy);

        using var outside = await proxy.SendAsync(Forwarded("/_pluginhost/status", "203.0.113.7"));
        using var inside = await proxy.SendAsync(Forwarded("/_pluginhost/status", "10.9.8.7"));
        // A client that put its own X-Forwarded-For before the proxy appended the real one: only the proxy's entry counts.
        using var spoofed = await proxy.SendAsync(Forwarded("/_pluginhost/status", "10.9.8.7, 203.0.113.7"));

        Assert.Equal(HttpStatusCode.Forbidden, outside.StatusCode);
        Assert.Equal(HttpStatusCode.OK, inside.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, spoofed.StatusCode);
        // Refused by the allow-list for the forwarded client, not as an undeclared proxy: the peer is the declared one.
        Assert.DoesNotContain(host.Logs.Events, e => CollectingSink.EventName(e) == "AdminRefusedUndeclaredProxy");
        Assert.Contains(host.Logs.Messages, m => m.Contains("Admin request from \"203.0.113.7\"", StringComparison.Ordinal) && m.Contains("403", StringComparison.Ordinal));
    }

    [Fact]
    public async Task UndeclaredPeer_ForwardedHeadersIgnoredByAppsAndAdminRefusedWithAWarningNamingTheSetting()
    {
        var host = await StartAsync("server:\n  forwardedHeaders:\n    knownProxies: [127.0.0.2]");

        var seen = await AppSeesAsync(host.Client, "10.9.8.7");
        using var admin = await host.Client.SendAsync(Forwarded("/_pluginhost/status", "127.0.0.1"));
        using var plainAdmin = await host.Client.GetAsync("/_pluginhost/status");

        Assert.Equal("127.0.0.1", seen.GetProperty("remoteAddress").GetString());
        Assert.Equal("http", seen.GetProperty("scheme").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, admin.StatusCode);
        Assert.Equal(HttpStatusCode.OK, plainAdmin.StatusCode);
        var warning = Assert.Single(host.Logs.Events, e => CollectingSink.EventName(e) == "AdminRefusedUndeclaredProxy");
        Assert.Equal(Serilog.Events.LogEventLevel.Warning, warning.Level);
        Assert.Contains("server.forwardedHeaders.knownProxies", warning.RenderMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoProxiesDeclared_ForwardedHeadersIgnoredAsBeforeAndAdminRefusesThem()
    {
        var host = await StartAsync("");
        using var proxy = TestClients.Create(host.Address, source: Proxy);

        var seen = await AppSeesAsync(proxy, "203.0.113.7");
        using var admin = await proxy.SendAsync(Forwarded("/_pluginhost/status", "127.0.0.1"));

        Assert.Equal("127.0.0.2", seen.GetProperty("remoteAddress").GetString());
        Assert.Equal("http", seen.GetProperty("scheme").GetString());
        Assert.NotEqual("shop.example", seen.GetProperty("host").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, admin.StatusCode);
        Assert.Single(host.Logs.Events, e => CollectingSink.EventName(e) == "AdminRefusedUndeclaredProxy");
    }
}
