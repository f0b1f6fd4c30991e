using System.Security.Authentication;
using Microsoft.Extensions.Time.Testing;
using PluginHost.Core.Certificates;
using PluginHost.Core.Configuration;
using PluginHost.Core.Tests.Telemetry;

namespace PluginHost.Core.Tests.Certificates;

/// <summary>Issue 19: certificates read from real files (made at test time), checked, chosen by SNI, and rotated.</summary>
public sealed class ServerCertificatesTests : IDisposable
{
    private const string ConfigFile = "/srv/pluginhost/config.yaml";
    private readonly string _folder = Directory.CreateTempSubdirectory("pluginhost-certs-").FullName;
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly CollectingLogger<ServerCertificates> _logger = new();

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string File(string name) => Path.Combine(_folder, name);

    private static CertificateConfig Pem(string path, string? keyPath, string? passwordEnv = null, params string[] hosts) => new()
    {
        Path = path,
        KeyPath = keyPath,
        PasswordEnv = passwordEnv,
        Hosts = hosts,
        Source = new CertificateSource(ConfigFile, "server.certificate", 7, keyPath is null ? 0 : 8, passwordEnv is null ? 0 : 9),
    };

    private ServerCertificates Load(params CertificateConfig[] configs) => ServerCertificates.Load(configs, _time, _logger);

    /// <summary>A store serving <paramref name="certificate"/> from cert.pem and key.pem.</summary>
    private ServerCertificates Serving(System.Security.Cryptography.X509Certificates.X509Certificate2 certificate)
    {
        TestCertificates.WritePem(certificate, File("cert.pem"), File("key.pem"));
        return Load(Pem(File("cert.pem"), File("key.pem")));
    }

    private string LoadFails(params CertificateConfig[] configs) =>
        Assert.Single(Assert.Throws<CertificateException>(() => Load(configs)).Errors).ToString();

    [Fact]
    public void Load_PemCertificateAndKey_ServedWithTls12And13Only()
    {
        using var certificate = TestCertificates.Create();
        TestCertificates.WritePem(certificate, File("cert.pem"), File("key.pem"));

        var sut = Load(Pem(File("cert.pem"), File("key.pem")));

        Assert.Equal(certificate.Thumbprint, sut.For(null).Leaf.Thumbprint);
        Assert.True(sut.For("anything.example").Leaf.HasPrivateKey);
        var options = sut.OptionsFor(null);
        Assert.Equal(SslProtocols.Tls12 | SslProtocols.Tls13, options.EnabledSslProtocols);
        Assert.Same(sut.For(null).Context, options.ServerCertificateContext);
        Assert.Null(options.ApplicationProtocols);
        Assert.Contains(_logger.Entries, e => e.EventId.Name == "CertificateServing");
    }

    [Fact]
    public void Load_CombinedPemEcdsaAndEncryptedKeyAndPfx_AllLoad()
    {
        var variable = "PLUGINHOST_TEST_CERT_PASSWORD_" + Guid.NewGuid().ToString("N")[..8];
        Environment.SetEnvironmentVariable(variable, "pa55word");
        try
        {
            using var combined = TestCertificates.Create("combined.test", ecdsa: true);
            TestCertificates.WriteCombinedPem(combined, File("combined.pem"));
            using var encrypted = TestCertificates.Create("encrypted.test");
            TestCertificates.WritePem(encrypted, File("enc.pem"), File("enc.key"), password: "pa55word");
            using var pfx = TestCertificates.Create("pfx.test");
            TestCertificates.WritePfx(pfx, File("site.pfx"), "pa55word");

            var sut = Load(
                Pem(File("combined.pem"), null, null, "combined.test"),
                Pem(File("enc.pem"), File("enc.key"), variable, "encrypted.test"),
                Pem(File("site.pfx"), null, variable, "pfx.test"));

            Assert.Equal(combined.Thumbprint, sut.For("combined.test").Leaf.Thumbprint);
            Assert.Equal(encrypted.Thumbprint, sut.For("encrypted.test").Leaf.Thumbprint);
            Assert.Equal(pfx.Thumbprint, sut.For("PFX.test").Leaf.Thumbprint);
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Fact]
    public void For_SniNames_ExactThenWildcardThenDefault()
    {
        using var site = TestCertificates.Create("example.org");
        using var wildcard = TestCertificates.Create("wildcard.example.net");
        using var fallback = TestCertificates.Create("default");
        TestCertificates.WriteCombinedPem(site, File("site.pem"));
        TestCertificates.WriteCombinedPem(wildcard, File("wildcard.pem"));
        TestCertificates.WriteCombinedPem(fallback, File("default.pem"));

        var sut = Load(Pem(File("site.pem"), null, null, "example.org", "www.example.org"), Pem(File("wildcard.pem"), null, null, "*.example.net"),
            Pem(File("default.pem"), null));

        Assert.Equal(site.Thumbprint, sut.For("www.EXAMPLE.org").Leaf.Thumbprint);
        Assert.Equal(wildcard.Thumbprint, sut.For("a.example.net").Leaf.Thumbprint);
        Assert.Equal(fallback.Thumbprint, sut.For("a.b.example.net").Leaf.Thumbprint);
        Assert.Equal(fallback.Thumbprint, sut.For("example.net").Leaf.Thumbprint);
        Assert.Equal(fallback.Thumbprint, sut.For(null).Leaf.Thumbprint);
    }

    [Fact]
    public void For_EveryCertificateHasHosts_FirstIsTheDefault()
    {
        using var first = TestCertificates.Create("first.test");
        using var second = TestCertificates.Create("second.test");
        TestCertificates.WriteCombinedPem(first, File("first.pem"));
        TestCertificates.WriteCombinedPem(second, File("second.pem"));

        var sut = Load(Pem(File("first.pem"), null, null, "first.test"), Pem(File("second.pem"), null, null, "second.test"));

        Assert.Equal(first.Thumbprint, sut.For("unknown.test").Leaf.Thumbprint);
        Assert.Equal(second.Thumbprint, sut.For("second.test").Leaf.Thumbprint);
    }

    [Fact]
    public void Load_KeyOfAnotherCertificate_OneLineNamingKeyPathAndBothFiles()
    {
        using var certificate = TestCertificates.Create();
        using var other = TestCertificates.Create();
        TestCertificates.WritePem(certificate, File("cert.pem"), File("unused.pem"));
        TestCertificates.WritePem(other, File("other.pem"), File("key.pem"));

        var line = LoadFails(Pem(File("cert.pem"), File("key.pem")));

        Assert.Equal($"{ConfigFile}:8: server.certificate.keyPath: the private key in {File("key.pem")} does not match the certificate in {File("cert.pem")}", line);
    }

    [Fact]
    public void Load_MissingKeyFile_OneLineNamingKeyPathAndFile()
    {
        using var certificate = TestCertificates.Create();
        TestCertificates.WritePem(certificate, File("cert.pem"), File("key.pem"));

        var line = LoadFails(Pem(File("cert.pem"), File("missing.pem")));

        Assert.StartsWith($"{ConfigFile}:8: server.certificate.keyPath: cannot read {File("missing.pem")}: ", line, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', line);
    }

    [Fact]
    public void Load_PemWithoutKeyAndNoKeyPath_SaysToGiveKeyPath()
    {
        using var certificate = TestCertificates.Create();
        TestCertificates.WritePem(certificate, File("cert.pem"), File("key.pem"));

        Assert.Contains("server.certificate.path: " + File("cert.pem") + " holds no private key: give keyPath", LoadFails(Pem(File("cert.pem"), null)), StringComparison.Ordinal);
    }

    [Fact]
    public void Load_ExpiredCertificate_OneLine()
    {
        using var certificate = TestCertificates.Create(validFor: TimeSpan.FromDays(1), notBefore: DateTimeOffset.UtcNow.AddDays(-3));
        TestCertificates.WritePem(certificate, File("cert.pem"), File("key.pem"));

        Assert.Contains($"server.certificate.path: the certificate in {File("cert.pem")} (CN=localhost) expired on ", LoadFails(Pem(File("cert.pem"), File("key.pem"))),
            StringComparison.Ordinal);
    }

    [Fact]
    public void Load_EncryptedKeyWithoutPasswordEnvOrWithUnsetVariableOrWrongPassword_OneLineEach()
    {
        using var certificate = TestCertificates.Create();
        TestCertificates.WritePem(certificate, File("cert.pem"), File("key.pem"), password: "right");
        TestCertificates.WritePfx(certificate, File("site.pfx"), "right");
        var variable = "PLUGINHOST_TEST_WRONG_" + Guid.NewGuid().ToString("N")[..8];

        Assert.Contains("server.certificate.keyPath: the private key in " + File("key.pem") + " is encrypted: name the environment variable",
            LoadFails(Pem(File("cert.pem"), File("key.pem"))), StringComparison.Ordinal);
        Assert.Contains($"{ConfigFile}:9: server.certificate.passwordEnv: environment variable '{variable}' is not set or empty",
            LoadFails(Pem(File("cert.pem"), File("key.pem"), variable)), StringComparison.Ordinal);
        Environment.SetEnvironmentVariable(variable, "wrong");
        try
        {
            Assert.Contains("server.certificate.keyPath: cannot read the RSA private key", LoadFails(Pem(File("cert.pem"), File("key.pem"), variable)), StringComparison.Ordinal);
            Assert.Contains($"server.certificate.passwordEnv: cannot open {File("site.pfx")} with the password in {variable}",
                LoadFails(Pem(File("site.pfx"), null, variable)), StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Fact]
    public void Load_GarbageOrClientCertificate_Refused()
    {
        System.IO.File.WriteAllText(File("garbage.pem"), "not a certificate");
        using var client = TestCertificates.Create(serverAuth: false);
        TestCertificates.WriteCombinedPem(client, File("client.pem"));

        Assert.Contains("cannot read " + File("garbage.pem") + " as PEM, nor as a PFX", LoadFails(Pem(File("garbage.pem"), null)), StringComparison.Ordinal);
        Assert.Contains("is not for server authentication", LoadFails(Pem(File("client.pem"), null)), StringComparison.Ordinal);
    }

    [Fact]
    public void Load_SeveralBadCertificates_EveryProblemAtOnce()
    {
        var errors = Assert.Throws<CertificateException>(() => Load(Pem(File("a.pem"), null, null, "a.test"), Pem(File("b.pem"), null))).Errors;

        Assert.Equal(2, errors.Count);
    }

    [Fact]
    public void Load_ExpiringWithin14Days_WarningAndStatusAndMetric()
    {
        using var certificate = TestCertificates.Create(validFor: TimeSpan.FromDays(5));
        TestCertificates.WritePem(certificate, File("cert.pem"), File("key.pem"));

        var sut = Load(Pem(File("cert.pem"), File("key.pem")));

        var warning = Assert.Single(_logger.Entries, e => e.EventId.Name == "CertificateExpiringSoon");
        Assert.Contains(File("cert.pem"), warning.Message, StringComparison.Ordinal);
        var status = Assert.Single(sut.Read());
        Assert.True(status.ExpiringSoon);
        Assert.InRange(status.ExpiresInSeconds, TimeSpan.FromDays(4.9).TotalSeconds, TimeSpan.FromDays(5).TotalSeconds);
        var measurement = Assert.Single(sut.ExpiryMeasurements());
        Assert.InRange(measurement.Value, TimeSpan.FromDays(4.9).TotalSeconds, TimeSpan.FromDays(5).TotalSeconds);
        _time.Advance(TimeSpan.FromDays(1));
        Assert.InRange(Assert.Single(sut.ExpiryMeasurements()).Value, TimeSpan.FromDays(3.9).TotalSeconds, TimeSpan.FromDays(4).TotalSeconds);
    }

    [Fact]
    public void CheckForChanges_FilesRewrittenInPlace_NewCertificateAfterTheyStayTheSameForOneCheck()
    {
        using var first = TestCertificates.Create();
        using var second = TestCertificates.Create();
        var sut = Serving(first);

        TestCertificates.WritePem(second, File("cert.pem"), File("key.pem"));
        sut.CheckForChanges();
        var afterFirstCheck = sut.For(null).Leaf.Thumbprint;
        sut.CheckForChanges();

        Assert.Equal(first.Thumbprint, afterFirstCheck);
        Assert.Equal(second.Thumbprint, sut.For(null).Leaf.Thumbprint);
        Assert.Contains(_logger.Entries, e => e.EventId.Name == "CertificateRotated");
        Assert.Null(Assert.Single(sut.Read()).LastError);
    }

    [Fact]
    public void CheckForChanges_CertificateReplacedBeforeItsKey_NoErrorOnceBothAreThere()
    {
        using var first = TestCertificates.Create();
        using var second = TestCertificates.Create();
        var sut = Serving(first);

        System.IO.File.WriteAllText(File("cert.pem"), second.ExportCertificatePem());
        sut.CheckForChanges();
        System.IO.File.WriteAllText(File("key.pem"), TestCertificates.KeyPem(second, null));
        sut.CheckForChanges();
        sut.CheckForChanges();

        Assert.Equal(second.Thumbprint, sut.For(null).Leaf.Thumbprint);
        Assert.DoesNotContain(_logger.Entries, e => e.EventId.Name == "CertificateReplacementRefused");
    }

    [Fact]
    public void CheckForChanges_SymlinkSwappedToAnotherFolder_NewCertificate()
    {
        using var first = TestCertificates.Create();
        using var second = TestCertificates.Create();
        Directory.CreateDirectory(File("v1"));
        Directory.CreateDirectory(File("v2"));
        TestCertificates.WritePem(first, File("v1/tls.crt"), File("v1/tls.key"));
        TestCertificates.WritePem(second, File("v2/tls.crt"), File("v2/tls.key"));
        // A Kubernetes secret volume: tls.crt -> ..data/tls.crt, ..data -> v1; an update swaps ..data.
        System.IO.File.CreateSymbolicLink(File("..data"), "v1");
        System.IO.File.CreateSymbolicLink(File("tls.crt"), "..data/tls.crt");
        System.IO.File.CreateSymbolicLink(File("tls.key"), "..data/tls.key");
        var sut = Load(Pem(File("tls.crt"), File("tls.key")));

        System.IO.File.CreateSymbolicLink(File("..data_tmp"), "v2");
        RenameOver(File("..data_tmp"), File("..data"));
        sut.CheckForChanges();
        sut.CheckForChanges();

        Assert.Equal(second.Thumbprint, sut.For(null).Leaf.Thumbprint);
    }

    [Fact]
    public void CheckForChanges_BrokenReplacement_OldCertificateKeepsServingAndTheErrorIsReportedOnce()
    {
        using var first = TestCertificates.Create();
        var sut = Serving(first);

        System.IO.File.WriteAllText(File("cert.pem"), "-----BEGIN CERTIFICATE-----\ntruncated");
        for (var i = 0; i < 4; i++)
        {
            sut.CheckForChanges();
        }

        Assert.Equal(first.Thumbprint, sut.For(null).Leaf.Thumbprint);
        var status = Assert.Single(sut.Read());
        Assert.NotNull(status.LastError);
        Assert.Contains("server.certificate.path", status.LastError, StringComparison.Ordinal);
        Assert.Equal(_time.GetUtcNow(), status.LastErrorAt);
        Assert.Single(_logger.Entries, e => e.EventId.Name == "CertificateReplacementRefused");

        // Put back: nothing is wrong any more.
        TestCertificates.WritePem(first, File("cert.pem"), File("key.pem"));
        sut.CheckForChanges();
        Assert.Null(Assert.Single(sut.Read()).LastError);
    }

    [Fact]
    public void CheckForChanges_ExpiredReplacement_Refused()
    {
        using var first = TestCertificates.Create();
        using var expired = TestCertificates.Create(validFor: TimeSpan.FromHours(1), notBefore: DateTimeOffset.UtcNow.AddDays(-2));
        var sut = Serving(first);

        TestCertificates.WritePem(expired, File("cert.pem"), File("key.pem"));
        sut.CheckForChanges();
        sut.CheckForChanges();

        Assert.Equal(first.Thumbprint, sut.For(null).Leaf.Thumbprint);
        Assert.Contains("expired on", Assert.Single(sut.Read()).LastError, StringComparison.Ordinal);
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "rename", SetLastError = true)]
    private static extern int Rename(string oldPath, string newPath);

    private static void RenameOver(string from, string to) => Assert.Equal(0, Rename(from, to));
}
