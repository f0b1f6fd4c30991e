using System.Diagnostics;
using System.Globalization;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using PluginHost.Core.Configuration;

namespace PluginHost.Core.Certificates;

/// <summary>The bytes of a certificate's files as read at one moment, and their fingerprint (what rotation compares).</summary>
internal sealed record CertificateFileContents(byte[] Certificate, byte[]? Key, string Fingerprint);

/// <summary>A certificate ready for TLS handshakes: the server's certificate with its key, and the context SslStream uses (chain built once).</summary>
public sealed record ServingCertificate(X509Certificate2 Leaf, SslStreamCertificateContext Context, string Fingerprint, DateTimeOffset LoadedAt)
{
    public DateTimeOffset NotAfter { get; } = new(Leaf.NotAfter.ToUniversalTime(), TimeSpan.Zero);
    public DateTimeOffset NotBefore { get; } = new(Leaf.NotBefore.ToUniversalTime(), TimeSpan.Zero);
}

/// <summary>
/// Reads the files of one <see cref="CertificateConfig"/> (PEM with its key, or PFX) and checks that they make a usable
/// server certificate: a key that matches, the right password, not expired, allowed for server authentication. Every
/// problem is one <see cref="ConfigError"/> naming the key of server.certificate and the file.
/// </summary>
internal static class CertificateFiles
{
    /// <summary>A certificate chain or key is a few KB; anything far larger is the wrong file.</summary>
    public const int MaxFileBytes = 1024 * 1024;

    private const string ServerAuthenticationOid = "1.3.6.1.5.5.7.3.1";
    private const string RsaOid = "1.2.840.113549.1.1.1";
    private const string EcOid = "1.2.840.10045.2.1";

    /// <exception cref="CertificateException">A file cannot be read.</exception>
    public static CertificateFileContents Read(CertificateConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var certificate = ReadFile(config, "path", config.Path);
        var key = config.KeyPath is null ? null : ReadFile(config, "keyPath", config.KeyPath);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(certificate);
        hash.AppendData(key ?? []);
        return new CertificateFileContents(certificate, key, Convert.ToHexString(hash.GetHashAndReset()));
    }

    /// <exception cref="CertificateException">The contents do not make a usable server certificate at <paramref name="now"/>.</exception>
    public static ServingCertificate Load(CertificateConfig config, CertificateFileContents contents, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(contents);
        var password = Password(config);
        var (leaf, chain) = IsPem(contents.Certificate) ? LoadPem(config, contents, password) : LoadPfx(config, contents, password);
        var notAfter = new DateTimeOffset(leaf.NotAfter.ToUniversalTime(), TimeSpan.Zero);
        if (notAfter <= now)
        {
            throw Error(config, "path", $"the certificate in {config.Path} ({leaf.Subject}) expired on {Day(notAfter)}: renew it");
        }

        if (leaf.Extensions.OfType<X509EnhancedKeyUsageExtension>().FirstOrDefault() is { } usage
            && !usage.EnhancedKeyUsages.Cast<Oid>().Any(oid => oid.Value == ServerAuthenticationOid))
        {
            throw Error(config, "path", $"the certificate in {config.Path} ({leaf.Subject}) is not for server authentication (its extended key usage lacks serverAuth)");
        }

        // Built once here, not per handshake: SslStream would otherwise build the chain for every new connection.
        var context = SslStreamCertificateContext.Create(leaf, chain, offline: true);
        return new ServingCertificate(leaf, context, contents.Fingerprint, now);
    }

    /// <summary>A date as the log and status write it.</summary>
    public static string Day(DateTimeOffset time) => time.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    private static byte[] ReadFile(CertificateConfig config, string key, string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            if (stream.Length > MaxFileBytes)
            {
                throw Error(config, key, $"{path} is larger than {MaxFileBytes / 1024} KB; a certificate or key is a few KB (is it the right file?)");
            }

            var bytes = new byte[stream.Length];
            stream.ReadExactly(bytes);
            return bytes;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw Error(config, key, $"cannot read {path}: {exception.Message}");
        }
    }

    private static string? Password(CertificateConfig config)
    {
        if (config.PasswordEnv is not { } variable)
        {
            return null;
        }

        var password = Environment.GetEnvironmentVariable(variable);
        return string.IsNullOrEmpty(password)
            ? throw Error(config, "passwordEnv", $"environment variable '{variable}' is not set or empty; set it to the password of {config.KeyPath ?? config.Path}")
            : password;
    }

    private static bool IsPem(byte[] bytes) => Encoding.ASCII.GetString(bytes, 0, Math.Min(bytes.Length, 4096)).Contains("-----BEGIN ", StringComparison.Ordinal);

    private static (X509Certificate2 Leaf, X509Certificate2Collection Chain) LoadPem(CertificateConfig config, CertificateFileContents contents, string? password)
    {
        var certificateText = Encoding.UTF8.GetString(contents.Certificate);
        var certificates = new X509Certificate2Collection();
        try
        {
            certificates.ImportFromPem(certificateText);
        }
        catch (CryptographicException exception)
        {
            throw Error(config, "path", $"cannot read the certificates in {config.Path}: {exception.Message}");
        }

        if (certificates.Count == 0)
        {
            throw Error(config, "path", $"{config.Path} holds no certificate (-----BEGIN CERTIFICATE-----)");
        }

        var keyText = contents.Key is null ? certificateText : Encoding.UTF8.GetString(contents.Key);
        var keyKey = config.KeyPath is null ? "path" : "keyPath";
        var keyFile = config.KeyPath ?? config.Path;
        if (!keyText.Contains("PRIVATE KEY-----", StringComparison.Ordinal))
        {
            throw config.KeyPath is null
                ? Error(config, "path", $"{config.Path} holds no private key: give keyPath, the file of the certificate's key (e.g. privkey.pem)")
                : Error(config, "keyPath", $"{config.KeyPath} holds no PEM private key (-----BEGIN PRIVATE KEY-----)");
        }

        var encrypted = keyText.Contains("-----BEGIN ENCRYPTED PRIVATE KEY-----", StringComparison.Ordinal);
        if (encrypted && password is null)
        {
            throw Error(config, keyKey, $"the private key in {keyFile} is encrypted: name the environment variable holding its password in passwordEnv");
        }

        var publicOnly = certificates[0];
        var chain = new X509Certificate2Collection();
        for (var i = 1; i < certificates.Count; i++)
        {
            chain.Add(certificates[i]);
        }

        return (WithKey(config, publicOnly, keyText, encrypted ? password : null, keyKey, keyFile), chain);
    }

    private static X509Certificate2 WithKey(CertificateConfig config, X509Certificate2 publicOnly, string keyText, string? password, string keyKey, string keyFile)
    {
        var algorithm = publicOnly.GetKeyAlgorithm();
        AsymmetricAlgorithm key = algorithm switch
        {
            RsaOid => RSA.Create(),
            EcOid => ECDsa.Create(),
            _ => throw Error(config, "path", $"the certificate in {config.Path} has a key of a kind TLS here does not serve (OID {algorithm}); use an RSA or ECDSA certificate"),
        };
        using (key)
        {
            try
            {
                if (password is null)
                {
                    key.ImportFromPem(keyText);
                }
                else
                {
                    key.ImportFromEncryptedPem(keyText, password);
                }
            }
            catch (Exception exception) when (exception is CryptographicException or ArgumentException)
            {
                var kind = algorithm == RsaOid ? "RSA" : "ECDSA";
                var hint = password is null ? "" : $" (is the password in {config.PasswordEnv} right?)";
                throw Error(config, keyKey,
                    $"cannot read the {kind} private key the certificate in {config.Path} needs from {keyFile}{hint}: {exception.Message}");
            }

            try
            {
                return key switch
                {
                    RSA rsa => publicOnly.CopyWithPrivateKey(rsa),
                    ECDsa ecdsa => publicOnly.CopyWithPrivateKey(ecdsa),
                    _ => throw new UnreachableException(),
                };
            }
            catch (ArgumentException)
            {
                throw Error(config, keyKey, $"the private key in {keyFile} does not match the certificate in {config.Path}");
            }
        }
    }

    private static (X509Certificate2 Leaf, X509Certificate2Collection Chain) LoadPfx(CertificateConfig config, CertificateFileContents contents, string? password)
    {
        if (config.KeyPath is not null)
        {
            throw Error(config, "keyPath", $"{config.Path} is not PEM; a PFX (PKCS#12) file holds its own key: remove keyPath");
        }

        X509Certificate2Collection all;
        try
        {
            all = X509CertificateLoader.LoadPkcs12Collection(contents.Certificate, password, X509KeyStorageFlags.EphemeralKeySet);
        }
        catch (CryptographicException exception)
        {
            throw password is null
                ? Error(config, "path", $"cannot read {config.Path} as PEM, nor as a PFX (PKCS#12) file without a password ({exception.Message}); an encrypted PFX needs passwordEnv")
                : Error(config, "passwordEnv", $"cannot open {config.Path} with the password in {config.PasswordEnv} (wrong password, or not a PFX file?): {exception.Message}");
        }

        var leaf = all.FirstOrDefault(c => c.HasPrivateKey)
            ?? throw Error(config, "path", $"the PFX file {config.Path} holds no private key");
        var chain = new X509Certificate2Collection();
        foreach (var other in all.Where(c => !ReferenceEquals(c, leaf)))
        {
            chain.Add(other);
        }

        return (leaf, chain);
    }

    private static CertificateException Error(CertificateConfig config, string key, string message) =>
        new([config.Source.Error(key, message)]);
}
