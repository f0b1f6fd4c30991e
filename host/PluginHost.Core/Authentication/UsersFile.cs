using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace PluginHost.Core.Authentication;

/// <summary>A users file could not be read; the message names the file and line.</summary>
public sealed class UsersFileException(string message) : Exception(message);

/// <summary>
/// The users (Basic) or named keys (API key) of one app's <c>auth.usersFile</c>, parsed once per generation.
/// Users: <c>name:pbkdf2-sha256:&lt;iterations&gt;:&lt;salt base64&gt;:&lt;hash base64&gt;</c>; successful checks are remembered
/// (by a SHA-256 of name and password, never the password itself) so a client pays the PBKDF2 cost once.
/// Keys: <c>name:hmac-sha256:&lt;hash base64&gt;</c>, looked up by their keyed hash: one HMAC and one dictionary lookup per
/// request, whatever the key and however many lines (<see cref="PasswordHasher"/>).
/// Blank lines and lines starting with '#' are ignored.
/// </summary>
public sealed class UsersFile
{
    private const int MaxRemembered = 1024;
    private static readonly PasswordHash DummyHash = new(PasswordHasher.DefaultIterations, new byte[16], new byte[32]);
    private readonly IReadOnlyDictionary<string, PasswordHash> _users;
    private readonly IReadOnlyDictionary<string, string> _keyOwners;
    private readonly byte[] _keyHashKey;
    private readonly ConcurrentDictionary<string, string> _verified = new(StringComparer.Ordinal);

    private UsersFile(string path, IReadOnlyDictionary<string, PasswordHash> users, IReadOnlyDictionary<string, string> keyOwners, byte[] keyHashKey)
    {
        Path = path;
        _users = users;
        _keyOwners = keyOwners;
        _keyHashKey = keyHashKey;
    }

    public string Path { get; }
    public int Count => _users.Count + _keyOwners.Count;
    public IEnumerable<string> Names => _users.Keys.Concat(_keyOwners.Values);

    /// <param name="apiKeys">The file holds API keys (hmac-sha256 lines) rather than users (pbkdf2-sha256 lines).</param>
    /// <param name="keySecret">The secret the API keys were hashed under (auth.keySecretEnv), if any.</param>
    public static UsersFile Load(string path, bool apiKeys = false, string? keySecret = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The system's message names the path again; say the cause alone.
            var cause = ex switch
            {
                FileNotFoundException or DirectoryNotFoundException => "the file does not exist",
                UnauthorizedAccessException => "permission denied",
                _ => ex.Message.Replace(path, "it", StringComparison.Ordinal),
            };
            throw new UsersFileException($"{path}: cannot read the users file: {cause}");
        }

        return Parse(path, lines, apiKeys, keySecret);
    }

    /// <summary>Parses the lines of a users file, reporting every bad line at once.</summary>
    public static UsersFile Parse(string path, IEnumerable<string> lines, bool apiKeys = false, string? keySecret = null)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var users = new Dictionary<string, PasswordHash>(StringComparer.Ordinal);
        var keyOwners = new Dictionary<string, string>(StringComparer.Ordinal);
        var errors = new List<string>();
        var number = 0;
        foreach (var raw in lines)
        {
            number++;
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var name = colon < 0 ? line : line[..colon];
            var expected = apiKeys ? $"name:{PasswordHasher.ApiKeyAlgorithm}:<hash>" : $"name:{PasswordHasher.Algorithm}:<iterations>:<salt>:<hash>";
            if (colon < 0 || !IsValidName(name))
            {
                errors.Add($"{path}:{number}: expected '{expected}' with a name of letters, digits and . _ @ -");
                continue;
            }

            if (apiKeys)
            {
                if (ParseKey(line[(colon + 1)..]) is not { } keyHash)
                {
                    errors.Add($"{path}:{number}: key '{name}': expected '{PasswordHasher.ApiKeyAlgorithm}:<hash base64>' (API keys are looked up by a keyed hash, not checked with PBKDF2 line by line); make the line with 'pluginhost hash-password {name} --api-key'");
                }
                else if (!keyOwners.TryAdd(keyHash, name))
                {
                    errors.Add($"{path}:{number}: key '{name}' is the same key as '{keyOwners[keyHash]}'s; give each owner a key of its own");
                }

                continue;
            }

            if (PasswordHasher.TryParse(line[(colon + 1)..], out var error) is not { } hash)
            {
                errors.Add($"{path}:{number}: user '{name}': {error}");
                continue;
            }

            if (!users.TryAdd(name, hash))
            {
                errors.Add($"{path}:{number}: user '{name}' is listed twice");
            }
        }

        if (errors.Count > 0)
        {
            throw new UsersFileException(string.Join(Environment.NewLine, errors));
        }

        return new UsersFile(path, users, keyOwners, PasswordHasher.ApiKeyHashKey(keySecret));
    }

    /// <summary>The hash of <c>hmac-sha256:&lt;hash base64&gt;</c>, normalised to base64, or null.</summary>
    private static string? ParseKey(string text)
    {
        var parts = text.Split(':');
        if (parts.Length != 2 || parts[0] != PasswordHasher.ApiKeyAlgorithm)
        {
            return null;
        }

        var buffer = new byte[parts[1].Length];
        return Convert.TryFromBase64String(parts[1], buffer, out var written) && written == 32 ? Convert.ToBase64String(buffer, 0, written) : null;
    }

    public static bool IsValidName(string name) =>
        name.Length is > 0 and <= 128 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '@' or '-');

    /// <summary>Basic: true when <paramref name="name"/> is listed and <paramref name="secret"/> matches its hash.</summary>
    public bool VerifyUser(string name, string secret)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(secret);
        var fingerprint = Fingerprint(name, secret);
        if (_verified.ContainsKey(fingerprint))
        {
            return true;
        }

        // Unknown users cost as much as known ones, so timing does not tell which names exist.
        var known = _users.TryGetValue(name, out var hash);
        var matches = PasswordHasher.Verify(secret, hash ?? DummyHash) && known;
        if (matches)
        {
            Remember(fingerprint, name);
        }

        return matches;
    }

    /// <summary>API key: the name whose key <paramref name="key"/> is, or null. One HMAC and one lookup, however many keys.</summary>
    public string? FindKeyOwner(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return _keyOwners.GetValueOrDefault(Convert.ToBase64String(PasswordHasher.ApiKeyHash(key, _keyHashKey)));
    }

    private void Remember(string fingerprint, string name)
    {
        if (_verified.Count >= MaxRemembered)
        {
            _verified.Clear();
        }

        _verified[fingerprint] = name;
    }

    private static string Fingerprint(string name, string secret) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(name + "\0" + secret)));
}
