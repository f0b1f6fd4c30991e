using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace PluginHost.Core.Authentication;

/// <summary>
/// Salted PBKDF2-SHA256 hashes for users files, one line per user or key:
/// <c>name:pbkdf2-sha256:&lt;iterations&gt;:&lt;salt base64&gt;:&lt;hash base64&gt;</c>.
/// Used by <c>pluginhost hash-password</c> to write a line, and by the host to check a secret against one.
/// </summary>
public static class PasswordHasher
{
    public const string Algorithm = "pbkdf2-sha256";
    public const int DefaultIterations = 100_000;
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
