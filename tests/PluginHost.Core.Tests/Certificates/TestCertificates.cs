using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace PluginHost.Core.Tests.Certificates;

/// <summary>
/// Self-signed server certificates made at test time with <see cref="CertificateRequest"/>, written the ways operators
/// get them: PEM certificate and key files (certbot), one combined PEM, or a PFX. Shared by the unit and integration tests.
/// </summary>
public static class TestCertificates
{
    /// <summary>A self-signed RSA (or ECDSA) certificate for <paramref name="dnsNames"/>, valid from an hour ago for <paramref name="validFor"/> (default 90 days).</summary>
    public static X509Certificate2 Create(string subject = "localhost", TimeSpan? validFor = null, bool ecdsa = false, bool serverAuth = true,
        DateTimeOffset? notBefore = null, params string[] dnsNames)
    {
        var from = notBefore ?? DateTimeOffset.UtcNow.AddHours(-1);
        using var rsa = ecdsa ? null : RSA.Create(2048);
        using var ec = ecdsa ? ECDsa.Create(ECCurve.NamedCurves.nistP256) : null;
        var request = rsa is not null
            ? new CertificateRequest($"CN={subject}", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            : new CertificateRequest($"CN={subject}", ec!, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        foreach (var name in dnsNames.Length == 0 ? [subject] : dnsNames)
        {
            names.AddDnsName(name);
        }

        names.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid(serverAuth ? "1.3.6.1.5.5.7.3.1" : "1.3.6.1.5.5.7.3.2")], critical: false));
        return request.CreateSelfSigned(from, from + (validFor ?? TimeSpan.FromDays(90)));
    }

    /// <summary>Writes the certificate and its unencrypted (or, with a password, encrypted PKCS#8) key as PEM.</summary>
    public static void WritePem(X509Certificate2 certificate, string certificatePath, string keyPath, string? password = null)
    {
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
        File.WriteAllText(keyPath, KeyPem(certificate, password));
    }

    /// <summary>Certificate and key in one PEM file.</summary>
    public static void WriteCombinedPem(X509Certificate2 certificate, string path) =>
        File.WriteAllText(path, certificate.ExportCertificatePem() + "\n" + KeyPem(certificate, password: null));

    public static void WritePfx(X509Certificate2 certificate, string path, string? password) =>
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pkcs12, password));

    public static string KeyPem(X509Certificate2 certificate, string? password)
    {
        AsymmetricAlgorithm key = (AsymmetricAlgorithm?)certificate.GetRSAPrivateKey() ?? certificate.GetECDsaPrivateKey()
            ?? throw new InvalidOperationException("the certificate has no private key");
        using (key)
        {
            return password is null
                ? key.ExportPkcs8PrivateKeyPem()
                : key.ExportEncryptedPkcs8PrivateKeyPem(password, new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, 10_000));
        }
    }
}
