using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace PluginHost.Core.Authentication;

/// <summary>
/// Users-file hashes, one line per user or API key.
/// Passwords (Basic): salted PBKDF2-HMAC-SHA256, <c>name:pbkdf2-sha256:&lt;iterations&gt;:&lt;salt base64&gt;:&lt;hash base64&gt;</c>,
/// 600 000 iterations by default (OWASP's Password Storage Cheat Sheet for PBKDF2-HMAC-SHA256).
/// API keys: a keyed hash, <c>name:hmac-sha256:&lt;hash base64&gt;</c> = HMAC-SHA256 of the key under a secret (the
/// environment variable named by <c>auth.keySecretEnv</c>) or, without one, under a fixed label: the same key always
/// gives the same hash, so the host finds a key's owner with one hash and one dictionary lookup instead of running
/// PBKDF2 against every line. With the secret, a stolen users file alone does not let anyone test guesses offline.
/// Either way only long random keys are accepted (at least <see cref="MinApiKeyLength"/> characters, e.g.
/// <c>openssl rand -base64 32</c>): their entropy, not the hash's cost, stops guessing (OWASP allows a fast hash for
/// high-entropy tokens).
/// Used by <c>pluginhost hash-password</c> to write a line, and by the host to check a secret against one.
/// </summary>
public static class PasswordHasher
{
    public const string Algorithm = "pbkdf2-sha256";
    public const string ApiKeyAlgorithm = "hmac-sha256";
    public const int DefaultIterations = 600_000;
    public const int MinApiKeyLength = 32;
    public const int MinIterations = 1_000;
    public const int MaxIterations = 10_000_000;
    private const int SaltBytes = 16;
    private const int HashBytes = 32;

    /// <summary>Hashes <paramref name="secret"/> with a fresh random salt: <c>pbkdf2-sha256:iterations:salt:hash</c>.</summary>
    public static string Hash(string secret, int iterations = DefaultIterations)
    {
        ArgumentException.ThrowIfNullOrEmpty(secret);
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, MinIterations);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(iterations, MaxIterations);
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        var hash = Derive(secret, salt, iterations, HashBytes);
        return string.Create(CultureInfo.InvariantCulture, $"{Algorithm}:{iterations}:{Convert.ToBase64String(salt)}:{Convert.ToBase64String(hash)}");
    }

    /// <summary>A whole users-file line: <c>name:pbkdf2-sha256:…</c>. Names must not contain ':' or white space.</summary>
    public static string FormatLine(string name, string secret, int iterations = DefaultIterations)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (!UsersFile.IsValidName(name))
        {
            throw new ArgumentException($"'{name}' cannot be a user name: use letters, digits and . _ @ - (no ':' or spaces)", nameof(name));
        }

        return $"{name}:{Hash(secret, iterations)}";
    }

    /// <summary>Shortest secret accepted for <c>auth.keySecretEnv</c>.</summary>
    public const int MinKeySecretLength = 32;

    /// <summary>
    /// The HMAC key of API-key hashes when no secret is configured. It is not a secret (it separates these hashes from
    /// any other SHA-256 use); the keys' own entropy protects them.
    /// </summary>
    private static readonly byte[] ApiKeyHashLabel = Encoding.UTF8.GetBytes("PluginHost API key hash v1");

    /// <summary>The HMAC key for API-key hashes: the secret's bytes, or the fixed label when there is none.</summary>
    public static byte[] ApiKeyHashKey(string? secret)
    {
        if (secret is null)
        {
            return ApiKeyHashLabel;
        }

        if (secret.Length < MinKeySecretLength)
        {
            throw new ArgumentException($"the key secret must be at least {MinKeySecretLength} characters of random text (e.g. 'openssl rand -base64 48'); this one has {secret.Length}", nameof(secret));
        }

        return Encoding.UTF8.GetBytes(secret);
    }

    /// <summary>The stored form of an API key: <c>hmac-sha256:&lt;hash base64&gt;</c>.</summary>
    public static string HashApiKey(string key, string? secret = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        if (key.Length < MinApiKeyLength)
        {
            throw new ArgumentException(
                $"an API key must be at least {MinApiKeyLength} characters of random text (e.g. 'openssl rand -base64 32'); this one has {key.Length}", nameof(key));
        }

        return $"{ApiKeyAlgorithm}:{Convert.ToBase64String(ApiKeyHash(key, ApiKeyHashKey(secret)))}";
    }

    /// <summary>A whole users-file line for an API key: <c>name:hmac-sha256:…</c>.</summary>
    public static string FormatApiKeyLine(string name, string key, string? secret = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (!UsersFile.IsValidName(name))
        {
            throw new ArgumentException($"'{name}' cannot be a key owner name: use letters, digits and . _ @ - (no ':' or spaces)", nameof(name));
        }

        return $"{name}:{HashApiKey(key, secret)}";
    }

    /// <summary>The keyed hash an API key is looked up by, under <paramref name="hashKey"/> (<see cref="ApiKeyHashKey"/>).</summary>
    public static byte[] ApiKeyHash(string key, byte[] hashKey)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(hashKey);
        return HMACSHA256.HashData(hashKey, Encoding.UTF8.GetBytes(key));
    }

    /// <summary>Checks <paramref name="secret"/> against a parsed hash in constant time.</summary>
    public static bool Verify(string secret, PasswordHash hash)
    {
        ArgumentNullException.ThrowIfNull(secret);
        ArgumentNullException.ThrowIfNull(hash);
        var derived = Derive(secret, hash.Salt, hash.Iterations, hash.Hash.Length);
        return CryptographicOperations.FixedTimeEquals(derived, hash.Hash);
    }

    /// <summary>Parses <c>pbkdf2-sha256:iterations:salt:hash</c>; returns null and a reason when it is not one.</summary>
    public static PasswordHash? TryParse(string text, out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split(':');
        if (parts.Length != 4 || parts[0] != Algorithm)
        {
            error = $"expected '{Algorithm}:<iterations>:<salt base64>:<hash base64>' (make one with 'pluginhost hash-password')";
            return null;
        }

        if (!int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var iterations)
            || iterations is < MinIterations or > MaxIterations)
        {
            error = $"iterations '{parts[1]}' must be a whole number from {MinIterations} to {MaxIterations}";
            return null;
        }

        var salt = FromBase64(parts[2]);
        var hash = FromBase64(parts[3]);
        if (salt is not { Length: >= 8 } || hash is not { Length: >= 16 })
        {
            error = "salt and hash must be base64 (at least 8 and 16 bytes)";
            return null;
        }

        error = null;
        return new PasswordHash(iterations, salt, hash);
    }

    private static byte[] Derive(string secret, byte[] salt, int iterations, int length) =>
        Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(secret), salt, iterations, HashAlgorithmName.SHA256, length);

    private static byte[]? FromBase64(string text)
    {
        var buffer = new byte[text.Length];
        return Convert.TryFromBase64String(text, buffer, out var written) ? buffer[..written] : null;
    }
}

/// <summary>A parsed salted PBKDF2-SHA256 hash.</summary>
public sealed record PasswordHash(int Iterations, byte[] Salt, byte[] Hash);
