using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace PluginHost.Core.Releases;

/// <summary>
/// Rules for release version names: a version is one plain folder name directly inside the releases root,
/// so it can never reach outside it (no '/', no '..', no leading dash that a shell would read as an option).
/// </summary>
public static partial class VersionName
{
    /// <summary>Longest accepted name; a version is a label, not a path.</summary>
    public const int MaxLength = 100;

    public static bool IsValid([NotNullWhen(true)] string? name) => TryValidate(name, out _);

    /// <summary>Checks <paramref name="name"/>; on failure <paramref name="error"/> says what is wrong, for humans.</summary>
    public static bool TryValidate([NotNullWhen(true)] string? name, [NotNullWhen(false)] out string? error)
    {
        error = name switch
        {
            null or "" => "a version name is required (e.g. 1.5.0)",
            { Length: > MaxLength } => $"version name is longer than {MaxLength} characters",
            _ when name.Contains('/') || name.Contains('\\') => $"version '{name}' must not contain '/' or '\\': it is a folder name, not a path",
            _ when name.Contains("..", StringComparison.Ordinal) => $"version '{name}' must not contain '..'",
            _ when name.StartsWith('-') => $"version '{name}' must not start with '-'",
            _ when !Pattern().IsMatch(name) => $"version '{name}' may only contain letters, digits, '.', '_' and '-', and must start with a letter or digit",
            _ => null,
        };
        return error is null;
    }

    /// <summary>Returns <paramref name="name"/> if valid; otherwise throws <see cref="ReleaseStoreException"/>.</summary>
    public static string Require(string? name)
        => TryValidate(name, out var error) ? name : throw new ReleaseStoreException(error);

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._-]*\z", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
