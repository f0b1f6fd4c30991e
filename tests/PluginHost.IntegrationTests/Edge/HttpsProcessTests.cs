using System.Net;
using System.Net.Sockets;
using PluginHost.Core.Tests.Certificates;
using PluginHost.IntegrationTests.Infrastructure;

namespace PluginHost.IntegrationTests.Edge;

/// <summary>
/// Issue 19, the real process: with a certificate it cannot use it stops at start-up with exit code 1 and one line naming
/// the key of server.certificate and the file, without a stack trace; socket-activated, it serves TLS on the socket
/// systemd passes for an https URL.
/// </summary>
public sealed class HttpsProcessTests : IDisposable
{
    private readonly TempReleases _releases = new();

    public HttpsProcessTests()
    {
        _releases.CreateSampleRelease("v1");
        _releases.Promote("v1");
        Directory.CreateDirectory(Path.Combine(_releases.Root, "tls"));
    }

    public void Dispose() => _releases.Dispose();

    private string Tls(string name) => Path.Combine(_releases.Root, "tls", name);

    [Theory]
    [InlineData("mismatched key", "keyPath", "does not match the certificate in")]
    [InlineData("missing key", "keyPath", "cannot read")]
    [InlineData("expired", "path", "expired on")]
    public async Task Serve_UnusableCertificate_ExitsOneWithOneLineNamingKeyAndFile(string problem, string key, string message)
    {
        using var certificate = problem == "expired"
            ? TestCertificates.Create(validFor: TimeSpan.FromHours(1), notBefore: DateTimeOffset.UtcNow.AddDays(-1))
            : TestCertificates.Create();
        using var other = TestCertificates.Create();
        TestCertificates.WritePem(certificate, Tls("cert.pem"), Tls("key.pem"));
        if (problem == "mismatched key")
        {
            await File.WriteAllTextAsync(Tls("key.pem"), TestCertificates.KeyPem(other, null));
        }
        else if (problem == "missing key")
        {
            File.Delete(Tls("key.pem"));
        }

        _releases.WriteSampleConfig("""
            server:
              urls: https://127.0.0.1:0
              certificate:
                path: tls/cert.pem
                keyPath: tls/key.pem
            """);
        using var host = HostProcess.Start(_releases.ConfigPath);

        var exitCode = await host.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(1, exitCode);
        var errors = host.Output.Split('\n').Where(l => l.Contains(" ERR] ", StringComparison.Ordinal) || l.Contains(" FTL] ", StringComparison.Ordinal)).ToList();
        var error = Assert.Single(errors);
        Assert.Contains($"Cannot start: {_releases.ConfigPath}:", error, StringComparison.Ordinal);
        Assert.Contains($"server.certificate.{key}: ", error, StringComparison.Ordinal);
        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.Contains(key == "keyPath" ? Tls("key.pem") : Tls("cert.pem"), error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", host.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_HttpsUrlWithoutCertificate_ExitsOneWithTheConfigLine()
    {
        _releases.WriteSampleConfig("""
            server:
              urls: https://127.0.0.1:0
            """);
        using var host = HostProcess.Start(_releases.ConfigPath);

        var exitCode = await host.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(1, exitCode);
        var line = Assert.Single(host.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Matches($"^{System.Text.RegularExpressions.Regex.Escape(_releases.ConfigPath)}:[0-9]+: server.urls: 'https://127.0.0.1:0' is an https URL but there is no certificate", line);
    }

    [Fact]
    public async Task SocketActivated_HttpsUrl_TlsOnThePassedSocket()
    {
        using var certificate = TestCertificates.Create();
        TestCertificates.WritePem(certificate, Tls("cert.pem"), Tls("key.pem"));
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(64);
        var address = new Uri($"https://127.0.0.1:{((IPEndPoint)listener.LocalEndPoint!).Port}");
        _releases.WriteSampleConfig($"""
            server:
              urls: {address.ToString().TrimEnd('/')}
              certificate:
                path: tls/cert.pem
                keyPath: tls/key.pem
            """);
        using var host = HostProcess.StartSocketActivated(_releases.ConfigPath, listener);
        using var client = TestClients.Create(address, HttpVersion.Version20);

        await Eventually.WaitAsync(async () =>
        {
            Assert.False(host.HasExited, host.Output);
            try
            {
                return (await client.GetAsync("/api/v1/version")).StatusCode == HttpStatusCode.OK;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, "the socket-activated host answering over TLS", TimeSpan.FromSeconds(60));

        Assert.Equal(certificate.Thumbprint, (await TestClients.HandshakeAsync(address)).Thumbprint);
    }
}
