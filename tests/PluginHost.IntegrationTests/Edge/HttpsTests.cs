using System.Net;
using System.Net.Http.Json;
using System.Runtime.InteropServices;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using PluginHost.Core.Tests.Certificates;
using PluginHost.IntegrationTests.Infrastructure;

namespace PluginHost.IntegrationTests.Edge;

/// <summary>
/// Issue 19: the samples over HTTPS on real Kestrel with a self-signed certificate made at test time: HTTP/2 by ALPN and
/// HTTP/1.1 for a client that asks for it, TLS 1.2 and 1.3, certificates replaced in place and by symlink swap while a
/// long request runs on an old connection, a broken replacement, an expiring certificate in status and metrics.
/// </summary>
public sealed class HttpsTests : HostPerTest
{
    private string TlsFolder => Path.Combine(Releases.Root, "tls");
    private string CertificatePath => Path.Combine(TlsFolder, "cert.pem");
    private string KeyPath => Path.Combine(TlsFolder, "key.pem");

    protected override void Arrange()
    {
        Releases.CreateSampleRelease("v1");
        Releases.CreateRelease("v1", ("ShowsClient", "ShowsClient"), ("SlowRequest", "SlowRequest"));
        Releases.Promote("v1");
        Directory.CreateDirectory(TlsFolder);
    }

    /// <summary>The samples plus ShowsClient at /whoami and SlowRequest at /slowapp, on https://127.0.0.1:0 with <paramref name="certificate"/>.</summary>
    private Task<HostRunner> StartAsync(string certificate = "  certificate:\n    path: tls/cert.pem\n    keyPath: tls/key.pem", string server = "")
    {
        Releases.WriteSampleConfig($"""
              - name: ShowsClient
                mount: /whoami
                assembly: ShowsClient/ShowsClient.dll
              - name: SlowRequest
                mount: /slowapp
                assembly: SlowRequest/SlowRequest.dll
            server:
              urls: https://127.0.0.1:0
            {certificate}
            {server}
            """);
        return StartHostAsync(useConfigUrls: true);
    }

    [Fact]
    public async Task Samples_OverHttps_Http2NegotiatedAndHttp11ForAClientThatAsksForIt()
    {
        using var certificate = TestCertificates.Create();
        TestCertificates.WritePem(certificate, CertificatePath, KeyPath);
        var host = await StartAsync();
        using var http2 = TestClients.Create(host.Address, HttpVersion.Version20);
        using var http11 = TestClients.Create(host.Address, HttpVersion.Version11);

        using var version = await http2.GetAsync("/api/v1/version");
        using var page = await http2.GetAsync("/");
        var seenOverHttp2 = await http2.GetFromJsonAsync<JsonElement>("/whoami/client");
        using var versionOverHttp11 = await http11.GetAsync("/api/v1/version");
        var seenOverHttp11 = await http11.GetFromJsonAsync<JsonElement>("/whoami/client");

        Assert.Equal(HttpStatusCode.OK, version.StatusCode);
        Assert.Equal(HttpVersion.Version20, version.Version);
        Assert.Contains("\"version\":\"v1\"", await version.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal(HttpVersion.Version20, page.Version);
        Assert.Equal("HTTP/2", seenOverHttp2.GetProperty("protocol").GetString());
        Assert.Equal("https", seenOverHttp2.GetProperty("scheme").GetString());
        Assert.True(seenOverHttp2.GetProperty("isHttps").GetBoolean());
        Assert.Equal(HttpStatusCode.OK, versionOverHttp11.StatusCode);
        Assert.Equal(HttpVersion.Version11, versionOverHttp11.Version);
        Assert.Equal("HTTP/1.1", seenOverHttp11.GetProperty("protocol").GetString());
    }

    [Theory]
    [InlineData(SslProtocols.Tls12)]
    [InlineData(SslProtocols.Tls13)]
    public async Task Handshake_Tls12And13_BothServedWithTheCertificateAndAlpnH2(SslProtocols protocol)
    {
        using var certificate = TestCertificates.Create();
        TestCertificates.WritePem(certificate, CertificatePath, KeyPath);
        var host = await StartAsync();

        var handshake = await TestClients.HandshakeAsync(host.Address, protocols: protocol);

        Assert.Equal(new Handshake(certificate.Thumbprint, protocol, "h2"), handshake);
    }

    [Theory]
    [InlineData("in place")]
    [InlineData("symlink swap")]
    public async Task Rotation_FilesReplaced_NewHandshakesGetTheNewCertificateWhileALongRequestOnAnOldConnectionCompletes(string how)
    {
        using var first = TestCertificates.Create();
        using var second = TestCertificates.Create();
        var live = how == "in place" ? TlsFolder : LinkToArchive(first, "1");
        if (how == "in place")
        {
            TestCertificates.WritePem(first, CertificatePath, KeyPath);
        }

        var host = await StartAsync($"  certificate:\n    path: {live}/cert.pem\n    keyPath: {live}/key.pem");
        var presented = new List<string>();
        using var oldConnection = TestClients.Create(host.Address, HttpVersion.Version11, presented);
        using (var warm = await oldConnection.GetAsync("/whoami/client"))
        {
            Assert.Equal(HttpStatusCode.OK, warm.StatusCode);
        }

        var slow = oldConnection.GetStringAsync("/slowapp/slow?ms=4000");
        await Eventually.WaitAsync(() => host.Current.Value!.Apps.Single(a => a.Name == "SlowRequest").InFlight == 1, "the long request running");

        if (how == "in place")
        {
            // As 'cp' or an ACME client that rewrites the files does: the certificate first, then its key.
            TestCertificates.WritePem(second, CertificatePath, KeyPath);
        }
        else
        {
            // As certbot renews: new files in archive/, then each live/ link replaced by rename(2).
            LinkToArchive(second, "2");
        }

        await Eventually.WaitAsync(async () => (await TestClients.HandshakeAsync(host.Address)).Thumbprint == second.Thumbprint,
            "new handshakes presenting the new certificate", TimeSpan.FromSeconds(10));
        var stillRunning = !slow.IsCompleted;

        Assert.Equal("done", await slow);
        Assert.True(stillRunning, "the certificate changed only after the long request finished: the test proved nothing");
        Assert.Equal([first.Thumbprint], presented);
        var status = Assert.Single((await host.GetJsonAsync("/_pluginhost/status")).GetProperty("certificates").EnumerateArray());
        Assert.Equal(second.Thumbprint, status.GetProperty("thumbprint").GetString());
        Assert.Contains(host.Logs.Events, e => CollectingSink.EventName(e) == "CertificateRotated");
    }

    [Fact]
    public async Task Rotation_BrokenReplacement_OldCertificateKeepsServingAndStatusAndLogSayWhy()
    {
        using var first = TestCertificates.Create();
        using var other = TestCertificates.Create();
        TestCertificates.WritePem(first, CertificatePath, KeyPath);
        var host = await StartAsync();

        // A renewal that wrote the new certificate but left the old key.
        await File.WriteAllTextAsync(CertificatePath, other.ExportCertificatePem());
        await Eventually.WaitAsync(() => host.Logs.Events.Any(e => CollectingSink.EventName(e) == "CertificateReplacementRefused"),
            "the refused replacement logged");

        Assert.Equal(first.Thumbprint, (await TestClients.HandshakeAsync(host.Address)).Thumbprint);
        var status = Assert.Single((await host.GetJsonAsync("/_pluginhost/status")).GetProperty("certificates").EnumerateArray());
        Assert.Equal(first.Thumbprint, status.GetProperty("thumbprint").GetString());
        Assert.Contains("does not match the certificate", status.GetProperty("lastError").GetString(), StringComparison.Ordinal);
        var warning = host.Logs.Events.Single(e => CollectingSink.EventName(e) == "CertificateReplacementRefused");
        Assert.Equal(Serilog.Events.LogEventLevel.Warning, warning.Level);
        Assert.Contains(KeyPath, warning.RenderMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExpiringCertificate_WarningAtStartAndInStatusAndMetrics()
    {
        using var certificate = TestCertificates.Create(validFor: TimeSpan.FromDays(5));
        TestCertificates.WritePem(certificate, CertificatePath, KeyPath);
        var host = await StartAsync();

        var status = Assert.Single((await host.GetJsonAsync("/_pluginhost/status")).GetProperty("certificates").EnumerateArray());
        var metrics = new PrometheusText(await host.Client.GetStringAsync("/_pluginhost/metrics"));

        Assert.True(status.GetProperty("expiringSoon").GetBoolean());
        Assert.InRange(status.GetProperty("expiresInSeconds").GetInt64(), TimeSpan.FromDays(4.9).TotalSeconds, TimeSpan.FromDays(5).TotalSeconds);
        Assert.InRange(metrics.Value("pluginhost_certificate_expiry_seconds", ("path", CertificatePath), ("hosts", "(any)")),
            TimeSpan.FromDays(4.9).TotalSeconds, TimeSpan.FromDays(5).TotalSeconds);
        Assert.Contains("# TYPE pluginhost_certificate_expiry_seconds gauge", metrics.Types);
        var warning = Assert.Single(host.Logs.Events, e => CollectingSink.EventName(e) == "CertificateExpiringSoon");
        Assert.Equal(Serilog.Events.LogEventLevel.Warning, warning.Level);
    }

    [Fact]
    public async Task SeveralSites_SniChoosesTheCertificateByHostName()
    {
        using var site = TestCertificates.Create("shop.example");
        using var fallback = TestCertificates.Create("localhost");
        TestCertificates.WriteCombinedPem(site, Path.Combine(TlsFolder, "shop.pem"));
        TestCertificates.WriteCombinedPem(fallback, Path.Combine(TlsFolder, "default.pem"));
        var host = await StartAsync("""
              certificate:
                - hosts: [shop.example]
                  path: tls/shop.pem
                - path: tls/default.pem
            """);

        Assert.Equal(site.Thumbprint, (await TestClients.HandshakeAsync(host.Address, "shop.example")).Thumbprint);
        Assert.Equal(fallback.Thumbprint, (await TestClients.HandshakeAsync(host.Address, "other.example")).Thumbprint);
    }

    [Fact]
    public async Task Http3OptIn_StartsAndServesHttp2AndHttp11Anyway()
    {
        using var certificate = TestCertificates.Create();
        TestCertificates.WritePem(certificate, CertificatePath, KeyPath);
        var host = await StartAsync(server: "  http3: true");
        using var http2 = TestClients.Create(host.Address, HttpVersion.Version20);
        using var http11 = TestClients.Create(host.Address, HttpVersion.Version11);

        using var overHttp2 = await http2.GetAsync("/api/v1/version");
        using var overHttp11 = await http11.GetAsync("/api/v1/version");

        Assert.Equal((HttpStatusCode.OK, HttpVersion.Version20), (overHttp2.StatusCode, overHttp2.Version));
        Assert.Equal((HttpStatusCode.OK, HttpVersion.Version11), (overHttp11.StatusCode, overHttp11.Version));
    }

    /// <summary>certbot's layout: archive/cert{n}.pem and key{n}.pem, and live/ links renamed over to point at them; returns live/.</summary>
    private string LinkToArchive(X509Certificate2 certificate, string n)
    {
        var archive = Directory.CreateDirectory(Path.Combine(TlsFolder, "archive")).FullName;
        var live = Directory.CreateDirectory(Path.Combine(TlsFolder, "live")).FullName;
        TestCertificates.WritePem(certificate, Path.Combine(archive, $"cert{n}.pem"), Path.Combine(archive, $"key{n}.pem"));
        foreach (var (link, target) in new[] { ("cert.pem", $"cert{n}.pem"), ("key.pem", $"key{n}.pem") })
        {
            var temporary = Path.Combine(live, link + ".new");
            File.CreateSymbolicLink(temporary, $"../archive/{target}");
            Assert.Equal(0, Rename(temporary, Path.Combine(live, link)));
        }

        return live;
    }

    [DllImport("libc", EntryPoint = "rename", SetLastError = true)]
    private static extern int Rename(string oldPath, string newPath);
}
