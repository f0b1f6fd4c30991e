using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace PluginHost.Core.Authentication;

/// <summary>A users file could not be read; the message names the file and line.</summary>
public sealed class UsersFileException(string message) : Exception(message);

/// <summary>
/// The users (Basic) or named keys (API key) of one app's <c>auth.usersFile</c>, parsed once per generation.
/// Lines: <c>name:pbkdf2-sha256:&lt;iterations&gt;:&lt;salt base64&gt;:&lt;hash base64&gt;</c>; blank lines and lines
/// starting with '#' are ignored. Successful checks are remembered (by a SHA-256 of name and secret, never the
/// secret itself) so a client pays the PBKDF2 cost once, not on every request.
/// </summary>
public sealed class UsersFile
{
    private const int MaxRemembered = 1024;
    private static readonly PasswordHash DummyHash = new(PasswordHasher.DefaultIterations, new byte[16], new byte[32]);
    private readonly IReadOnlyDictionary<string, PasswordHash> _users;
    private readonly ConcurrentDictionary<string, string> _verified = new(StringComparer.Ordinal);

    private UsersFile(string path, IReadOnlyDictionary<string, PasswordHash> users)
    {
        Path = path;
        _users = users;
    }

    public string Path { get; }
    public int Count => _users.Count;
    public IEnumerable<string> Names => _users.Keys;

    public static UsersFile Load(string path)
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

        return Parse(path, lines);
    }

    /// <summary>Parses the lines of a users file, reporting every bad line at once.</summary>
    public static UsersFile Parse(string path, IEnumerable<string> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var users = new Dictionary<string, PasswordHash>(StringComparer.Ordinal);
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
            if (colon < 0 || !IsValidName(name))
            {
                errors.Add($"{path}:{number}: expected 'name:{PasswordHasher.Algorithm}:<iterations>:<salt>:<hash>' with a name of letters, digits and . _ @ -");
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

        return new UsersFile(path, users);
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

    /// <summary>API key: the name whose hash <paramref name="key"/> matches, or null.</summary>
    public string? FindKeyOwner(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var fingerprint = Fingerprint("", key);
        if (_verified.TryGetValue(fingerprint, out var remembered))
        {
            return remembered;
        }

        foreach (var (name, hash) in _users)
        {
            if (PasswordHasher.Verify(key, hash))
            {
                Remember(fingerprint, name);
                return name;
            }
        }

        return null;
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
