using PluginHost.Core.Configuration;
using static PluginHost.Core.Tests.Configuration.ConfigAssert;

namespace PluginHost.Core.Tests.Configuration;

/// <summary>Issue 19: server.certificate, server.http3 and server.forwardedHeaders as config.yaml gives them.</summary>
public sealed class EdgeConfigTests
{
    [Fact]
    public void Parse_OneCertificateMap_PathsResolvedAgainstTheConfigFolder()
    {
        var config = ConfigLoader.Parse($"""
            server:
              urls: https://0.0.0.0:8443
              certificate:
                path: tls/fullchain.pem
                keyPath: /etc/letsencrypt/live/example.org/privkey.pem
                passwordEnv: PLUGINHOST_KEY_PASSWORD
              http3: true
            {OneApp}
            """, ConfigPath);

        var certificate = Assert.Single(config.Server.Certificates);
        Assert.Equal("/etc/pluginhost/tls/fullchain.pem", certificate.Path);
        Assert.Equal("/etc/letsencrypt/live/example.org/privkey.pem", certificate.KeyPath);
        Assert.Equal("PLUGINHOST_KEY_PASSWORD", certificate.PasswordEnv);
        Assert.Empty(certificate.Hosts);
        Assert.Equal(new CertificateSource(ConfigPath, "server.certificate", 4, 5, 6), certificate.Source);
        Assert.True(config.Server.Http3);
    }

    [Fact]
    public void Parse_CertificateListWithHosts_HostsLowerCasedAndPositionsKept()
    {
        var config = ConfigLoader.Parse($"""
            server:
              urls: [https://0.0.0.0:443]
              certificate:
                - hosts: [Example.org, www.example.org]
                  path: example.pem
                - hosts: ["*.example.net"]
                  path: wildcard.pfx
                - path: default.pem
            {OneApp}
            """, ConfigPath);

        Assert.Equal(3, config.Server.Certificates.Count);
        Assert.Equal(["example.org", "www.example.org"], config.Server.Certificates[0].Hosts);
        Assert.Equal(["*.example.net"], config.Server.Certificates[1].Hosts);
        Assert.Equal("server.certificate[1]", config.Server.Certificates[1].Source.Key);
        Assert.Equal(7, config.Server.Certificates[1].Source.PathLine);
    }

    [Fact]
    public void Parse_HttpsUrlWithoutCertificate_OneErrorAtTheUrls()
    {
        SingleError($"""
            server:
              urls: https://0.0.0.0:8443
            {OneApp}
            """, 2, "server.urls", "'https://0.0.0.0:8443' is an https URL but there is no certificate");
    }

    [Fact]
    public void Parse_HttpsAdminUrlWithoutCertificate_ErrorAtAdminUrls()
    {
        SingleError($"""
            admin:
              urls: [https://127.0.0.1:9443]
            {OneApp}
            """, 2, "admin.urls", "is an https URL but there is no certificate");
    }

    [Fact]
    public void Parse_BadCertificateEntries_EveryErrorAtOnce()
    {
        var errors = Errors($"""
            server:
              urls: https://0.0.0.0:8443
              certificate:
                - hosts: [example.org]
                  path: a.pem
                  passwordEnv: "s3cret password"
                - hosts: [example.org]
                  path: b.pem
                - keyPath: c.key
                - path: d.pem
                - path: e.pem
                - just text
                - hosts: [www.example.org, "https://bad.example.org"]
                  path: f.pem
              forwardedHeaders:
                knownProxies: [10.0.0.0/8, 10.1]
            {OneApp}
            """);

        HasError(errors, 13, "server.certificate[6].hosts[1]", "is not a host name");
        HasError(errors, 6, "server.certificate[0].passwordEnv", "is not an environment variable name");
        HasError(errors, 8, "server.certificate[1].hosts", "'example.org' is also listed by server.certificate[0]");
        HasError(errors, 9, "server.certificate[2].path", "missing required key 'path'");
        HasError(errors, 11, "server.certificate[4].hosts", "only one certificate may leave out hosts");
        HasError(errors, 12, "server.certificate[5]", "expected a map with path");
        HasError(errors, 16, "server.forwardedHeaders.knownProxies[1]", "is not an IP address or CIDR network");
        Assert.Equal(7, errors.Count);
    }

    [Fact]
    public void Parse_KnownProxies_AddressesAndNetworks()
    {
        var config = ConfigLoader.Parse($"""
            server:
              forwardedHeaders:
                knownProxies: [127.0.0.1, "10.0.0.0/8", "::1"]
            {OneApp}
            """, ConfigPath);

        Assert.Equal(["127.0.0.1", "10.0.0.0/8", "::1"], config.Server.ForwardedHeaders.KnownProxies);
        Assert.Empty(config.Server.Certificates);
        Assert.False(config.Server.Http3);
    }

    [Fact]
    public void Changed_CertificateFilesOrProxies_ServerIsAStartUpSetting()
    {
        var running = ConfigLoader.Parse($"server:\n  urls: https://127.0.0.1:8443\n  certificate:\n    path: a.pem\n{OneApp}", ConfigPath);
        var movedDown = ConfigLoader.Parse($"\n\nserver:\n  urls: https://127.0.0.1:8443\n  certificate:\n    path: a.pem\n{OneApp}", ConfigPath);
        var otherFile = ConfigLoader.Parse($"server:\n  urls: https://127.0.0.1:8443\n  certificate:\n    path: b.pem\n{OneApp}", ConfigPath);
        var proxies = ConfigLoader.Parse($"server:\n  urls: https://127.0.0.1:8443\n  certificate:\n    path: a.pem\n  forwardedHeaders:\n    knownProxies: [10.0.0.1]\n{OneApp}", ConfigPath);

        Assert.Empty(StartupOnlySettings.Changed(running, movedDown));
        Assert.Equal(["server"], StartupOnlySettings.Changed(running, otherFile));
        Assert.Equal(["server"], StartupOnlySettings.Changed(running, proxies));
    }
}
